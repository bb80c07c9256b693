import fp from 'fastify-plugin'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorCode, RiskgateError } from '../errors.js'
import { WEBHOOK_ERROR_RESPONSES, WebhookAckSchema } from '../schemas/webhook.js'
import { acceptDelivery, parsedOrRefused, parseSignedBody } from '../webhooks/accept-delivery.js'
import type { DeliveryCounts } from '../webhooks/accept-delivery.js'
import { setUpGateway } from '../webhooks/gateway-plugin-setup.js'
import { keepRawJsonBody, rawBodyOf } from '../webhooks/raw-json-body.js'
import type { EventDedupe } from '../webhooks/event-dedupe.js'
import { parseMidtransNotification } from '../webhooks/midtrans/notification.js'
import { createMidtransNotificationProcessor } from '../webhooks/midtrans/processor.js'
import type { MidtransNotificationProcessor } from '../webhooks/midtrans/processor.js'
import { verifyMidtransSignature } from '../webhooks/midtrans/signature.js'

export interface MidtransWebhookOptions {
  /** RISKGATE_MIDTRANS_SERVER_KEYS; none: the route answers 503 webhook_not_configured */
  serverKeys: readonly string[]
  /** RISKGATE_HASH_KEY (notification ids in Redis keys are keyed hashes) */
  hashKey: string
  /** Redis key prefix of the notification ids (tests) */
  keyPrefix?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the background processing of accepted Midtrans notifications (flush: wait for it) */
    midtransWebhooks: MidtransNotificationProcessor
  }
}

/** a Midtrans notification is a couple of KiB; 64 KiB leaves room for merchant metadata */
const WEBHOOK_BODY_LIMIT = 64 * 1024

/** notifications the route answered, by what it did with them (the Omise route's results; Midtrans signs no timestamp) */
interface RouteOptions {
  counts: DeliveryCounts
  serverKeys: readonly string[]
  dedupe: EventDedupe
  processor: MidtransNotificationProcessor
}

const midtransWebhookRoute: FastifyPluginAsyncTypebox<RouteOptions> = async function midtransWebhookRoute (fastify, opts) {
  keepRawJsonBody(fastify, WEBHOOK_BODY_LIMIT)

  fastify.post('/v1/webhooks/midtrans', {
    bodyLimit: WEBHOOK_BODY_LIMIT,
    schema: {
      summary: 'Midtrans HTTP notification: settlement, deny, refund and chargeback notifications become outcomes of recorded decisions',
      description: 'Authenticated by the notification\'s signature_key (SHA-512 hex of order_id + status_code + gross_amount + the server key), not by an API key. Answers 200 at once for every correctly signed notification, resends and statuses that carry no outcome included; the outcome is applied in the background.',
      tags: ['webhooks'],
      response: {
        200: WebhookAckSchema,
        ...WEBHOOK_ERROR_RESPONSES
      }
    }
  }, async function midtransWebhook (request) {
    if (opts.serverKeys.length === 0) {
      throw new RiskgateError(503, ErrorCode.WEBHOOK_NOT_CONFIGURED, 'Midtrans notifications are not configured: set RISKGATE_MIDTRANS_SERVER_KEYS')
    }
    const body = rawBodyOf(request.body)
    const parsed = parseSignedBody(body, opts.counts)
    const fields = parsed !== null && typeof parsed === 'object' ? parsed as Record<string, unknown> : {}
    const { order_id: orderId, status_code: statusCode, gross_amount: grossAmount } = fields
    // the signature first: an unsigned request learns nothing of what a valid notification looks like
    const check = typeof orderId === 'string' && typeof statusCode === 'string' && typeof grossAmount === 'string'
      ? verifyMidtransSignature({ orderId, statusCode, grossAmount, signature: fields.signature_key, serverKeys: opts.serverKeys })
      : { ok: false as const, reason: 'malformed' as const }
    if (!check.ok) {
      request.log.warn({ reason: check.reason }, 'midtrans notification refused')
      opts.counts.refused_signature++
      throw new RiskgateError(401, ErrorCode.WEBHOOK_SIGNATURE_INVALID,
        'the signature_key does not match: Midtrans signs SHA-512 of order_id + status_code + gross_amount + a server key configured in RISKGATE_MIDTRANS_SERVER_KEYS')
    }
    const notification = parsedOrRefused(parseMidtransNotification(parsed), opts.counts, 'the body is not a Midtrans notification (order_id, transaction_id, transaction_status, status_code, gross_amount)')
    return await acceptDelivery(request.log, opts.dedupe, opts.processor, opts.counts, { name: 'midtrans notification', noun: 'notification', id: notification.id, event: notification })
  })
}

/**
 * POST /v1/webhooks/midtrans (Midtrans' Payment Notification URL), authenticated only by the
 * notification's signature_key (no API key). Each notification (transaction id, status and status
 * code) is applied once; the answer is sent before the outcome is applied. Counted in the same
 * metrics as the Omise webhook, with gateway="midtrans".
 */
export const midtransWebhookPlugin = fp(async function midtransWebhooks (fastify, opts: MidtransWebhookOptions) {
  const counts: DeliveryCounts = { accepted: 0, duplicate: 0, refused_signature: 0, refused_body: 0 }
  const { dedupe, processor } = setUpGateway(fastify, { source: 'midtrans', hashKey: opts.hashKey, keyPrefix: opts.keyPrefix, createProcessor: createMidtransNotificationProcessor, counts })
  fastify.decorate('midtransWebhooks', processor)
  await fastify.register(midtransWebhookRoute, { counts, serverKeys: opts.serverKeys, dedupe, processor })
}, { name: 'midtrans-webhooks', fastify: '5.x', dependencies: ['redis', 'decision-log', 'outbox', 'metrics'] })
