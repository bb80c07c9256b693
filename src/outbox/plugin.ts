import fp from 'fastify-plugin'
import { Counter, Gauge } from 'prom-client'
import { createOutbox } from './outbox.js'
import type { DropReason, KindStats, Outbox } from './outbox.js'

export interface OutboxPluginOptions {
  maxItems?: number
  /** how long closing waits for the outbox to be written before what is left is dropped (counted) */
  closeTimeoutMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** everything written after the answer: decision records, outcomes, gateway events */
    outbox: Outbox
  }
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 8_000

/**
 * The outbox (src/outbox/outbox.ts) as the app uses it, with its metrics. Registered after the
 * Redis client, so that on close the outbox is flushed before the client closes.
 */
export const outboxPlugin = fp(async function outbox (fastify, opts: OutboxPluginOptions) {
  const box = createOutbox({ log: fastify.log, ...(opts.maxItems !== undefined ? { maxItems: opts.maxItems } : {}) })
  fastify.decorate('outbox', box)
  const registry = fastify.metricsRegistry
  const each = (read: (stats: KindStats, name: string) => void): void => {
    for (const [name, stats] of Object.entries(box.stats())) read(stats, name)
  }
  registry.registerMetric(new Gauge({
    name: 'riskgate_outbox_depth',
    help: 'Items waiting in the outbox to be written (decision records, outcomes, gateway events), by kind',
    labelNames: ['kind'] as const,
    registers: [],
    collect () { each((stats, kind) => this.set({ kind }, stats.queued)) }
  }))
  const counter = (name: string, help: string, read: (stats: KindStats) => number): void => {
    registry.registerMetric(new Counter({
      name,
      help,
      labelNames: ['kind'] as const,
      registers: [],
      collect () {
        this.reset()
        each((stats, kind) => this.inc({ kind }, read(stats)))
      }
    }))
  }
  counter('riskgate_outbox_written_total', 'Items the outbox wrote, by kind', (stats) => stats.written)
  counter('riskgate_outbox_retries_total', 'Outbox writes that failed (store unavailable) and were retried, by kind', (stats) => stats.retries)
  registry.registerMetric(new Counter({
    name: 'riskgate_outbox_dropped_total',
    help: 'Items the outbox could not write, by kind and reason: full (queue bound), expired (held past its limit), shutdown (left at close)',
    labelNames: ['kind', 'reason'] as const,
    registers: [],
    collect () {
      this.reset()
      each((stats, kind) => {
        for (const reason of Object.keys(stats.dropped) as DropReason[]) this.inc({ kind, reason }, stats.dropped[reason])
      })
    }
  }))
  fastify.addHook('onClose', async () => {
    await box.close(opts.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS)
  })
}, { name: 'outbox', fastify: '5.x', dependencies: ['metrics', 'redis'] })
