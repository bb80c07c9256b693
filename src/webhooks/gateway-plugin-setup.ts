import type { FastifyInstance } from 'fastify'
import { createEventDedupe } from './event-dedupe.js'
import type { EventDedupe } from './event-dedupe.js'
import { addGatewayCounts, GATEWAY_DELIVERIES, GATEWAY_EVENTS } from './gateway-metrics.js'
import type { GatewayProcessorOptions, GatewayProcessorStats } from './gateway-processor.js'

export interface GatewaySetupOptions<P> {
  /** the gateway: its dedupe keys, and the `gateway` label of its metrics */
  source: 'omise' | 'stripe' | 'midtrans' | 'adyen'
  hashKey: string
  keyPrefix?: string | undefined
  createProcessor: (options: GatewayProcessorOptions) => P
  /** the route's delivery counters, read by the metrics at scrape time */
  counts: object
}

/**
 * What every gateway's webhook plugin sets up alike: its event dedupe (Redis, or in process), its
 * processor (through the outbox, on the decision log) and its delivery and event counters.
 */
export function setUpGateway<P extends { stats: () => GatewayProcessorStats }> (fastify: FastifyInstance, options: GatewaySetupOptions<P>): { dedupe: EventDedupe, processor: P } {
  const dedupe = createEventDedupe({
    redis: fastify.redis,
    hashKey: options.hashKey,
    source: options.source,
    ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {})
  })
  const processor = options.createProcessor({ store: fastify.decisionLog.store, dedupe, outbox: fastify.outbox, log: fastify.log })
  const counts = options.counts as Record<string, number>
  addGatewayCounts(fastify.metricsRegistry, GATEWAY_DELIVERIES, options.source, () => ({ ...counts }))
  addGatewayCounts(fastify.metricsRegistry, GATEWAY_EVENTS, options.source, () => ({ ...processor.stats() }))
  return { dedupe, processor }
}
