import fp from 'fastify-plugin'
import { createMemoryQueue } from './memory-queue.js'
import { createMerchantWebhooks, DISABLED_MERCHANT_WEBHOOKS } from './merchant-webhooks.js'
import type { MerchantWebhooks } from './merchant-webhooks.js'
import { createWebhookMetrics } from './metrics.js'
import { createRedisQueue } from './redis-queue.js'
import type { RetrySchedule } from './retry-schedule.js'
import { createSender } from './sender.js'
import { webhookUserAgent } from './user-agent.js'

export interface MerchantWebhookPluginOptions {
  /** RISKGATE_MERCHANT_WEBHOOK_URL and _SECRET; absent: no events are made */
  merchantWebhook?: { url: string, secret: string }
  /** Redis key prefix (tests) */
  keyPrefix?: string
  /** an attempt's timeout (default 5 s) */
  attemptTimeoutMs?: number
  schedule?: RetrySchedule
  pollMs?: number
  leaseMs?: number
  now?: () => number
  random?: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** review events to the merchant's backend: `reviewClosed` is called by the reviews route once a close is recorded */
    merchantWebhooks: MerchantWebhooks
  }
}

/**
 * Merchant webhooks (src/merchant-webhooks/): `review.opened` follows each `review` decision's
 * record that lands in the decision log, `review.closed` each close the reviews route reports.
 * Both go through the outbox to the delivery queue (Redis when configured, else in process) and
 * are delivered from it by this instance's dispatcher. On close the dispatcher stops after the
 * attempts in flight; in process, what still waits is lost and counted.
 */
export const merchantWebhookPlugin = fp(async function merchantWebhooks (fastify, opts: MerchantWebhookPluginOptions) {
  const target = opts.merchantWebhook
  if (target === undefined) {
    fastify.decorate('merchantWebhooks', DISABLED_MERCHANT_WEBHOOKS)
    return
  }
  const now = opts.now ?? Date.now
  const queue = fastify.redis === null
    ? createMemoryQueue()
    : createRedisQueue({ redis: fastify.redis, ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}) })
  const observer = createWebhookMetrics(fastify.metricsRegistry, queue, now)
  const sender = createSender({
    url: target.url,
    secret: target.secret,
    userAgent: webhookUserAgent(),
    ...(opts.attemptTimeoutMs !== undefined ? { timeoutMs: opts.attemptTimeoutMs } : {})
  })
  const service = createMerchantWebhooks({
    outbox: fastify.outbox,
    queue,
    send: sender.send,
    log: fastify.log,
    observer,
    records: { recorder: fastify.decisionLog.recorder, decode: fastify.decisionLog.decode },
    now,
    ...(opts.schedule !== undefined ? { schedule: opts.schedule } : {}),
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    ...(opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {}),
    ...(opts.random !== undefined ? { random: opts.random } : {})
  })
  fastify.decorate('merchantWebhooks', { enabled: true, reviewClosed: service.reviewClosed } satisfies MerchantWebhooks)
  fastify.addHook('onReady', async () => { service.dispatcher.start() })
  fastify.addHook('onClose', async () => {
    await service.close()
    sender.close()
  })
  const host = new URL(target.url).host
  fastify.log.info({ host, queue: queue.backend }, 'merchant webhooks: review events are sent')
}, { name: 'merchant-webhooks', fastify: '5.x', dependencies: ['redis', 'outbox', 'decision-log', 'metrics'] })
