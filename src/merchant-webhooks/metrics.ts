import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import type { MerchantWebhooksObserver } from './merchant-webhooks.js'
import type { DeliveryQueue } from './queue.js'
import type { AttemptResult } from './sender.js'

function resultLabel (result: AttemptResult): string {
  if (result.ok) return 'delivered'
  return result.reason === 'status' ? 'http_error' : result.reason === 'network' ? 'network_error' : 'timeout'
}

/**
 * The merchant webhooks' metrics, on the app's registry: attempts by event type and result,
 * retries, drops by reason, and the queue's depth and oldest event's age (read from the queue
 * when /metrics is read: in Redis, the queue all instances share).
 */
export function createWebhookMetrics (registry: Registry, queue: DeliveryQueue, now: () => number = Date.now): MerchantWebhooksObserver {
  const deliveries = new Counter({
    name: 'riskgate_merchant_webhook_deliveries_total',
    help: 'Merchant webhook delivery attempts by event type and result: delivered (2xx), http_error (another status), network_error, timeout',
    labelNames: ['type', 'result'] as const,
    registers: [registry]
  })
  const retries = new Counter({
    name: 'riskgate_merchant_webhook_retries_total',
    help: 'Merchant webhook deliveries that failed and were scheduled again, by event type',
    labelNames: ['type'] as const,
    registers: [registry]
  })
  const dropped = new Counter({
    name: 'riskgate_merchant_webhook_dropped_total',
    help: 'Merchant webhook events given up, by event type and reason: expired (failed past the retry horizon), shutdown (pending in process at shutdown), superseded (a review.opened that came after its review.closed), outbox_full / outbox_expired / outbox_shutdown (never reached the delivery queue)',
    labelNames: ['type', 'reason'] as const,
    registers: [registry]
  })
  let last = { depth: 0, age: 0 }
  const read = async (): Promise<{ depth: number, age: number }> => {
    try {
      const stats = await queue.stats()
      last = { depth: stats.depth, age: stats.oldestCreatedMs === undefined ? 0 : Math.max(0, (now() - stats.oldestCreatedMs) / 1000) }
    } catch {
      // the store is unreachable: the last values read stand
    }
    return last
  }
  registry.registerMetric(new Gauge({
    name: 'riskgate_merchant_webhook_queue_depth',
    help: 'Merchant webhook events waiting for delivery',
    registers: [],
    async collect () { this.set((await read()).depth) }
  }))
  registry.registerMetric(new Gauge({
    name: 'riskgate_merchant_webhook_oldest_pending_age_seconds',
    help: 'Age of the oldest merchant webhook event waiting for delivery (0 when none waits)',
    registers: [],
    async collect () { this.set((await read()).age) }
  }))
  return {
    attempt: (type, result) => { deliveries.inc({ type, result: resultLabel(result) }) },
    retry: (type) => { retries.inc({ type }) },
    drop: (type, reason) => { dropped.inc({ type, reason }) },
    lost: (type, reason) => { dropped.inc({ type, reason }) }
  }
}
