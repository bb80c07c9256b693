import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { ScoreResponse } from '../schemas/decision.js'

export interface ScoreMetrics {
  /** counts one decision: its outcome, the rules that fired, the signals that were unavailable */
  observeDecision: (response: ScoreResponse) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ScoreMetrics
    /** the registry GET /metrics exposes: other plugins register their own metrics on it */
    metricsRegistry: Registry
  }
}

/** The metrics riskgate exposes, on a registry of its own (no global state between app instances). */
export function createScoreMetrics (registry: Registry): ScoreMetrics {
  const decisions = new Counter({
    name: 'riskgate_decisions_total',
    help: 'Score decisions by decision; replayed = a retried charge_id answered from the store',
    labelNames: ['decision', 'replayed'] as const,
    registers: [registry]
  })
  const rules = new Counter({
    name: 'riskgate_rule_fired_total',
    help: 'Live rules that fired, by rule id',
    labelNames: ['rule'] as const,
    registers: [registry]
  })
  const degraded = new Counter({
    name: 'riskgate_degraded_total',
    help: 'Decisions made without a signal that was unavailable (velocity, idempotency)',
    labelNames: ['signal'] as const,
    registers: [registry]
  })
  const took = new Histogram({
    name: 'riskgate_score_duration_seconds',
    help: 'Time to score a charge inside riskgate (took_ms of the response)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry]
  })
  // the labelled children, made once: prom-client hashes the labels on every inc otherwise
  const decided = new Map<string, { inc: () => void }>()
  for (const decision of ['allow', 'review', 'block']) {
    for (const replayed of [false, true]) decided.set(decision + String(replayed), decisions.labels({ decision, replayed: String(replayed) }))
  }
  const fired = new Map<string, { inc: () => void }>()
  const missing = new Map<string, { inc: () => void }>()
  const childOf = (children: Map<string, { inc: () => void }>, key: string, make: () => { inc: () => void }): { inc: () => void } => {
    let found = children.get(key)
    if (found === undefined) {
      if (children.size >= 10_000) children.clear()
      found = make()
      children.set(key, found)
    }
    return found
  }
  return {
    observeDecision (response) {
      const { decision, replayed } = response
      childOf(decided, decision + String(replayed), () => decisions.labels({ decision, replayed: String(replayed) })).inc()
      if (replayed) return
      const reasons = response.reasons
      for (let i = 0; i < reasons.length; i++) {
        const rule = (reasons[i] as { rule: string }).rule
        childOf(fired, rule, () => rules.labels({ rule })).inc()
      }
      for (const signal of response.degraded) childOf(missing, signal, () => degraded.labels({ signal })).inc()
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
