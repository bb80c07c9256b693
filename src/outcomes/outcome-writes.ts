import type { DecisionLogStore } from '../decision-log/store.js'
import { ItemResult } from '../outbox/outbox.js'
import type { Outbox } from '../outbox/outbox.js'
import { outcomeWrite } from './report-outcome.js'
import type { OutcomeReport } from './report-outcome.js'

export const OUTCOME_KIND = 'outcome'

export interface QueuedOutcome {
  decisionId: string
  report: OutcomeReport
}

/**
 * Outcomes that could not be written at once (the store unavailable, or the decision's record
 * still on its way) go through the outbox: retried until written; one whose decision stays unknown
 * is held for the outbox's hold limit, then dropped (counted as expired).
 */
export function defineOutcomeWrites (outbox: Outbox, store: Pick<DecisionLogStore, 'setOutcome'>): (item: QueuedOutcome) => boolean {
  outbox.define<QueuedOutcome>(OUTCOME_KIND, {
    batchSize: 50,
    async write (items) {
      return await Promise.all(items.map(async (item) => {
        const result = await store.setOutcome(item.decisionId, outcomeWrite(item.report))
        return result.status === 'unknown' ? ItemResult.LATER : ItemResult.DONE
      }))
    }
  })
  return (item) => outbox.add(OUTCOME_KIND, item)
}
