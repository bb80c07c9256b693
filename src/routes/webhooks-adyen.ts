import fp from 'fastify-plugin'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AdyenWebhookConfig } from '../config/adyen-env.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { ADYEN_ACCEPTED, AdyenAckSchema, WEBHOOK_ERROR_RESPONSES } from '../schemas/webhook.js'
import { acceptDelivery, parsedOrRefused, parseSignedBody } from '../webhooks/accept-delivery.js'
import type { DeliveryCounts } from '../webhooks/accept-delivery.js'
import { verifyBasicAuth } from '../webhooks/adyen/basic-auth.js'
import { MAX_NOTIFICATION_ITEMS, notificationItemsOf, parseAdyenNotification } from '../webhooks/adyen/notification.js'
import { createAdyenNotificationProcessor } from '../webhooks/adyen/processor.js'
import type { AdyenNotificationProcessor } from '../webhooks/adyen/processor.js'
import { verifyAdyenSignature } from '../webhooks/adyen/signature.js'
import type { EventDedupe } from '../webhooks/event-dedupe.js'
import { setUpGateway } from '../webhooks/gateway-plugin-setup.js'
import { keepRawJsonBody, rawBodyOf } from '../webhooks/raw-json-body.js'

export interface AdyenWebhookOptions {
  /** RISKGATE_ADYEN_HMAC_KEYS and _BASIC_AUTH; absent: the route answers 503 webhook_not_configured */
  adyen?: AdyenWebhookConfig | undefined
  /** RISKGATE_HASH_KEY (item ids in Redis keys are keyed hashes) */
  hashKey: string
  /** Redis key prefix of the item ids (tests) */
  keyPrefix?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the background processing of accepted Adyen notification items (flush the outbox: wait for it) */
    adyenWebhooks: AdyenNotificationProcessor
  }
}

/** an item is a couple of KiB (its additionalData included); 256 KiB leaves room for a batch */
const WEBHOOK_BODY_LIMIT = 256 * 1024

/** ...and deliveries refused for their basic auth */
export interface AdyenDeliveryCounts extends DeliveryCounts {
  refused_auth: number
}

interface RouteOptions {
  counts: AdyenDeliveryCounts
  adyen: AdyenWebhookConfig | undefined
  dedupe: EventDedupe
  processor: AdyenNotificationProcessor
}

const adyenWebhookRoute: FastifyPluginAsyncTypebox<RouteOptions> = async function adyenWebhookRoute (fastify, opts) {
  keepRawJsonBody(fastify, WEBHOOK_BODY_LIMIT)

  fastify.post('/v1/webhooks/adyen', {
    bodyLimit: WEBHOOK_BODY_LIMIT,
    schema: {
      summary: 'Adyen notifications (standard webhook): AUTHORISATION, REFUND, CHARGEBACK and NOTIFICATION_OF_FRAUD items become outcomes of recorded decisions',
      description: 'Authenticated by each item\'s additionalData.hmacSignature (base64 HMAC-SHA256 of pspReference:originalReference:merchantAccountCode:merchantReference:amount.value:amount.currency:eventCode:success, keyed with the hex-decoded HMAC key), and by the basic auth set in Adyen\'s Customer Area when RISKGATE_ADYEN_BASIC_AUTH is set; not by an API key. Answers 200 `[accepted]` once every item is signed and recorded (each applied once, in the background); a delivery with an item that is not correctly signed is refused whole with 401, so Adyen retries it and the Customer Area shows the failure.',
      tags: ['webhooks'],
      response: {
        200: { description: 'taken', content: { 'text/plain': { schema: AdyenAckSchema } } },
        ...WEBHOOK_ERROR_RESPONSES
      }
    }
  }, async function adyenWebhook (request, reply) {
    const adyen = opts.adyen
    if (adyen === undefined) {
      throw new RiskgateError(503, ErrorCode.WEBHOOK_NOT_CONFIGURED, 'Adyen notifications are not configured: set RISKGATE_ADYEN_HMAC_KEYS')
    }
    if (adyen.basicAuth !== undefined) {
      const auth = verifyBasicAuth(request.headers.authorization, adyen.basicAuth)
      if (!auth.ok) {
        request.log.warn({ reason: `basic_auth_${auth.reason}` }, 'adyen notification refused')
        opts.counts.refused_auth++
        reply.header('www-authenticate', 'Basic realm="riskgate"')
        throw new RiskgateError(401, ErrorCode.WEBHOOK_AUTH_INVALID,
          'the basic auth does not match: set the webhook\'s username and password (Customer Area, Developers, Webhooks) as RISKGATE_ADYEN_BASIC_AUTH')
      }
    }
    const body = rawBodyOf(request.body)
    const items = parsedOrRefused(notificationItemsOf(parseSignedBody(body, opts.counts)), opts.counts, `the body is not an Adyen notification: {"live": ..., "notificationItems": [{"NotificationRequestItem": {...}}]}, 1 to ${MAX_NOTIFICATION_ITEMS} items`)
    // every item's signature first: a delivery is taken whole or refused whole
    for (const [index, item] of items.entries()) {
      const check = verifyAdyenSignature(item, adyen.hmacKeys)
      if (!check.ok) {
        request.log.warn({ reason: check.reason, item: index }, 'adyen notification refused')
        opts.counts.refused_signature++
        throw new RiskgateError(401, ErrorCode.WEBHOOK_SIGNATURE_INVALID,
          'an item\'s additionalData.hmacSignature does not match: set the webhook\'s HMAC key in RISKGATE_ADYEN_HMAC_KEYS (nothing in this delivery was applied)')
      }
    }
    const notifications = items.map((item) => parsedOrRefused(parseAdyenNotification(item), opts.counts,
      'an item is not an Adyen notification item (pspReference, eventCode, success "true" or "false", merchantReference)'))
    for (const notification of notifications) {
      await acceptDelivery(request.log, opts.dedupe, opts.processor, opts.counts,
        { name: 'adyen notification', noun: 'notification', id: notification.id, event: notification, logFields: { event: notification.eventCode } })
    }
    reply.type('text/plain; charset=utf-8')
    return ADYEN_ACCEPTED
  })
}

/**
 * POST /v1/webhooks/adyen (Adyen's standard webhook, JSON), authenticated by each item's HMAC
 * signature and, when configured, basic auth (no API key). Each item (pspReference, eventCode,
 * success, originalReference) is applied once; the answer is sent before the outcome is applied.
 * Counted in the gateway webhook metrics with gateway="adyen", each item as a delivery.
 */
export const adyenWebhookPlugin = fp(async function adyenWebhooks (fastify, opts: AdyenWebhookOptions) {
  const counts: AdyenDeliveryCounts = { accepted: 0, duplicate: 0, refused_signature: 0, refused_body: 0, refused_auth: 0 }
  const { dedupe, processor } = setUpGateway(fastify, { source: 'adyen', hashKey: opts.hashKey, keyPrefix: opts.keyPrefix, createProcessor: createAdyenNotificationProcessor, counts })
  fastify.decorate('adyenWebhooks', processor)
  await fastify.register(adyenWebhookRoute, { counts, adyen: opts.adyen, dedupe, processor })
}, { name: 'adyen-webhooks', fastify: '5.x', dependencies: ['redis', 'decision-log', 'outbox', 'metrics'] })
