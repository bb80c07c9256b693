import { Counter } from 'prom-client'
import type { Registry } from 'prom-client'
import type { CloseReviewResult, DecisionLogStore, OutcomeResult, OutcomeWrite } from '../decision-log/store.js'

type OutcomeWrites = Pick<DecisionLogStore, 'setOutcome' | 'closeReview'>

/**
 * `riskgate_outcomes_total{source, label, result}`: every outcome written to the decision log,
 * whoever reported it (the API, a review close, a gateway webhook, the outbox's retries), by what
 * the log did with it: stored, kept (a stronger outcome stays), unknown (no such decision),
 * not_review / closed (a review close refused), error (the store failed). Counted where every
 * write passes: the store's own two outcome methods, wrapped.
 */
export function countOutcomes<S extends OutcomeWrites> (store: S, registry: Registry): S {
  const counts = new Map<string, { labels: { source: string, label: string, result: string }, n: number }>()
  registry.registerMetric(new Counter({
    name: 'riskgate_outcomes_total',
    help: 'Outcomes written to the decision log, by source (api, review, a gateway), label and result (stored, kept, unknown, not_review, closed, error)',
    labelNames: ['source', 'label', 'result'] as const,
    registers: [],
    collect () {
      this.reset()
      for (const { labels, n } of counts.values()) this.inc(labels, n)
    }
  }))
  const count = (write: OutcomeWrite, result: string): void => {
    const { source, label } = write.outcome
    const key = `${source}|${label}|${result}`
    const found = counts.get(key)
    if (found !== undefined) found.n++
    else counts.set(key, { labels: { source, label, result }, n: 1 })
  }
  const counted = async <R extends OutcomeResult | CloseReviewResult>(write: OutcomeWrite, call: () => Promise<R>): Promise<R> => {
    try {
      const result = await call()
      count(write, result.status)
      return result
    } catch (err) {
      count(write, 'error')
      throw err
    }
  }
  const setOutcome = store.setOutcome
  const closeReview = store.closeReview
  return Object.assign(store, {
    setOutcome: async (decisionId: string, write: OutcomeWrite) => await counted(write, async () => await setOutcome(decisionId, write)),
    closeReview: async (decisionId: string, write: OutcomeWrite) => await counted(write, async () => await closeReview(decisionId, write))
  })
}
