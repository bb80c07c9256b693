import { Counter } from 'prom-client'
import type { Registry } from 'prom-client'

/** the two counters gateway webhooks share, by gateway and result */
export const GATEWAY_DELIVERIES = {
  name: 'riskgate_webhook_deliveries_total',
  help: 'Gateway webhook deliveries answered, by gateway and result: accepted, duplicate (an event id seen before), refused_signature, refused_stale, refused_body, refused_auth (Adyen basic auth)'
} as const
export const GATEWAY_EVENTS = {
  name: 'riskgate_webhook_events_total',
  help: 'Accepted gateway events by gateway and what became of them: applied (an outcome stored), kept (a stronger outcome stays), unmatched (no decision found in time), ignored (not an outcome), failed'
} as const

type GatewayCounter = Counter<'gateway' | 'result'>
type Collect = (this: GatewayCounter) => void

/**
 * Adds one gateway's counts to a `{gateway, result}` counter that several gateway webhooks share
 * (`riskgate_webhook_deliveries_total`, `riskgate_webhook_events_total`). The first gateway to
 * register the counter owns it (its collect resets it, then adds its counts); each later one chains
 * its counts after the collect already there, so the gateways can register in any order.
 */
export function addGatewayCounts (registry: Registry, metric: { name: string, help: string }, gateway: string, read: () => Record<string, number>): void {
  const add = (counter: GatewayCounter): void => {
    for (const [result, n] of Object.entries(read())) counter.inc({ gateway, result }, n)
  }
  const existing = registry.getSingleMetric(metric.name) as unknown as { collect?: Collect } | undefined
  if (existing === undefined) {
    registry.registerMetric(new Counter({
      name: metric.name,
      help: metric.help,
      labelNames: ['gateway', 'result'] as const,
      registers: [],
      collect () {
        this.reset()
        add(this)
      }
    }))
    return
  }
  const previous = existing.collect
  existing.collect = function collect (this: GatewayCounter) {
    previous?.call(this)
    add(this)
  }
}
