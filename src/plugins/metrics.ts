import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ScoreResponse } from '../schemas/decision.js'

export interface ScoreMetrics {
  /** counts one decision: its outcome, the rules that fired, the signals that were unavailable */
  observeDecision: (response: ScoreResponse) => void
  /** the store's call on the answer's path (reservation and velocity): how long it took, and whether it answered */
  observeStoreCall: (seconds: number, ok: boolean) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ScoreMetrics
    /** the registry GET /metrics exposes: other plugins register their own metrics on it */
    metricsRegistry: Registry
  }
}

/**
 * A counter by label values kept as plain numbers, handed to prom-client when /metrics is read: a
 * decision costs a Map update, not prom-client's hashing of its labels.
 */
export function countedAtScrape<L extends string> (registry: Registry, name: string, help: string, labelNames: readonly L[]): (labels: Record<L, string>, key: string) => void {
  const counts = new Map<string, { labels: Record<L, string>, n: number }>()
  registry.registerMetric(new Counter({
    name,
    help,
    labelNames,
    registers: [],
    collect () {
      this.reset()
      for (const { labels, n } of counts.values()) this.inc(labels as Partial<Record<L, string>>, n)
    }
  }))
  return (labels, key) => {
    const found = counts.get(key)
    if (found !== undefined) found.n++
    else if (counts.size < 10_000) counts.set(key, { labels, n: 1 })
  }
}

/** The metrics riskgate exposes, on a registry of its own (no global state between app instances). */
export function createScoreMetrics (registry: Registry): ScoreMetrics {
  const decisions = countedAtScrape(registry, 'riskgate_decisions_total',
    'Score decisions by decision; replayed = a retried charge_id answered from the store', ['decision', 'replayed'])
  const rules = countedAtScrape(registry, 'riskgate_rule_fired_total', 'Live rules that fired, by rule id', ['rule'])
  const degraded = countedAtScrape(registry, 'riskgate_degraded_total',
    'Decisions made without a signal that was unavailable (velocity, idempotency)', ['signal'])
  const took = new Histogram({
    name: 'riskgate_score_duration_seconds',
    help: 'Time to score a charge inside riskgate (took_ms of the response)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry]
  })
  const storeCall = new Histogram({
    name: 'riskgate_store_call_duration_seconds',
    help: 'The store call on the answer\'s path that answered (reserve the charge id and count velocity: one Redis script call on a standalone Redis)',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry]
  })
  let storeErrors = 0
  registry.registerMetric(new Counter({
    name: 'riskgate_store_call_errors_total',
    help: 'Store calls on the answer\'s path that failed or passed the deadline (the charge was decided without velocity and idempotency)',
    registers: [],
    collect () {
      this.reset()
      this.inc(storeErrors)
    }
  }))
  return {
    observeStoreCall (seconds, ok) {
      if (ok) storeCall.observe(seconds)
      else storeErrors++
    },
    observeDecision (response) {
      const { decision, replayed } = response
      decisions({ decision, replayed: String(replayed) }, replayed ? `${decision}:r` : decision)
      if (replayed) return
      const reasons = response.reasons
      for (let i = 0; i < reasons.length; i++) {
        const rule = (reasons[i] as { rule: string }).rule
        rules({ rule }, rule)
      }
      for (const signal of response.degraded) degraded({ signal }, signal)
      took.observe(response.took_ms / 1000)
    }
  }
}

/** GET /metrics in the Prometheus text format: process metrics plus riskgate's own. */
export const metricsPlugin = fp(async function metrics (fastify) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  fastify.decorate('metrics', createScoreMetrics(registry))
  fastify.decorate('metricsRegistry', registry)
  fastify.get('/metrics', {
    logLevel: 'warn',
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      response: { 200: { type: 'string' } }
    }
  }, async (_request, reply) => {
    reply.type(registry.contentType)
    return await registry.metrics()
  })
  fastify.addHook('onClose', async () => { registry.clear() })
}, { name: 'metrics', fastify: '5.x' })
