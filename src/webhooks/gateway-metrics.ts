import { Counter } from 'prom-client'
import type { Registry } from 'prom-client'

const HELP: Record<string, string> = {
  riskgate_webhook_deliveries_total: 'Gateway webhook deliveries answered, by gateway and result: accepted, duplicate (an event id seen before), refused_signature, refused_stale, refused_body',
  riskgate_webhook_events_total: 'Accepted gateway events by gateway and what became of them: applied (an outcome stored), kept (a stronger outcome stays), unmatched (no decision found in time), ignored (not an outcome), failed'
}

type Collect = (this: Counter<'gateway' | 'result'>) => void

/**
 * Adds one gateway's counts to a `{gateway, result}` counter another gateway's webhook may have
 * registered already (the Omise webhook registers both when it starts): its collect runs first
 * (it resets the counter), then this gateway's counts are added. Registered after the Omise plugin.
 */
export function registerGatewayCounts (registry: Registry, name: string, gateway: string, read: () => Record<string, number>): void {
  const add = (counter: Counter<'gateway' | 'result'>): void => {
    for (const [result, n] of Object.entries(read())) counter.inc({ gateway, result }, n)
  }
  const existing = registry.getSingleMetric(name) as (Counter<'gateway' | 'result'> & { collect?: Collect }) | undefined
  if (existing === undefined) {
    registry.registerMetric(new Counter({
      name,
      help: HELP[name] ?? name,
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
  existing.collect = function collect (this: Counter<'gateway' | 'result'>) {
    if (previous !== undefined) previous.call(this)
    else this.reset()
    add(this)
  }
}
