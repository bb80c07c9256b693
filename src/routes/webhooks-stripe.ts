import fp from 'fastify-plugin'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorCode, RiskgateError } from '../errors.js'
import { WEBHOOK_ERROR_RESPONSES, WebhookAckSchema } from '../schemas/webhook.js'
import { acceptDelivery, parsedOrRefused, parseSignedBody, refuseTimestampedSignature } from '../webhooks/accept-delivery.js'
import type { TimestampedDeliveryCounts } from '../webhooks/accept-delivery.js'
import type { EventDedupe } from '../webhooks/event-dedupe.js'
import { setUpGateway } from '../webhooks/gateway-plugin-setup.js'
import { keepRawJsonBody, rawBodyOf } from '../webhooks/raw-json-body.js'
import { parseStripeEvent } from '../webhooks/stripe/event.js'
import { createStripeEventProcessor } from '../webhooks/stripe/processor.js'
import type { StripeEventProcessor } from '../webhooks/stripe/processor.js'
import { STRIPE_SIGNATURE_HEADER, verifyStripeSignature } from '../webhooks/stripe/signature.js'

export interface StripeWebhookOptions {
  /** RISKGATE_STRIPE_WEBHOOK_SECRETS (`whsec_...`); none: the route answers 503 webhook_not_configured */
  secrets: readonly string[]
  /** RISKGATE_HASH_KEY (event ids in Redis keys are keyed hashes) */
  hashKey: string
  /** Redis key prefix of the event ids (tests) */
  keyPrefix?: string
  now?: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the background processing of accepted Stripe events (flush the outbox: wait for it) */
    stripeWebhooks: StripeEventProcessor
  }
}

/** Stripe events embed the whole charge or dispute; 256 KiB is far above any of them */
const WEBHOOK_BODY_LIMIT = 256 * 1024

/** deliveries the route answered, by what it did with them */
interface RouteOptions {
  counts: TimestampedDeliveryCounts
  secrets: readonly string[]
  dedupe: EventDedupe
  processor: StripeEventProcessor
  now: () => number
}

const stripeWebhookRoute: FastifyPluginAsyncTypebox<RouteOptions> = async function stripeWebhookRoute (fastify, opts) {
  keepRawJsonBody(fastify, WEBHOOK_BODY_LIMIT)

  fastify.post('/v1/webhooks/stripe', {
    bodyLimit: WEBHOOK_BODY_LIMIT,
    schema: {
      summary: 'Stripe webhook: charge, refund, dispute and early fraud warning events become outcomes of recorded decisions',
      description: 'Authenticated by the Stripe-Signature header (t=<unix seconds>, v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret whsec_...), not by an API key.',
      tags: ['webhooks'],
      response: {
        200: WebhookAckSchema,
        ...WEBHOOK_ERROR_RESPONSES
      }
    }
  }, async function stripeWebhook (request) {
    if (opts.secrets.length === 0) {
      throw new RiskgateError(503, ErrorCode.WEBHOOK_NOT_CONFIGURED, 'Stripe webhooks are not configured: set RISKGATE_STRIPE_WEBHOOK_SECRETS')
    }
    const body = rawBodyOf(request.body)
    const header = request.headers[STRIPE_SIGNATURE_HEADER]
    const check = verifyStripeSignature({
      body,
      header: typeof header === 'string' ? header : undefined,
      secrets: opts.secrets,
      nowSeconds: Math.floor(opts.now() / 1000)
    })
    if (!check.ok) {
      refuseTimestampedSignature(request.log, opts.counts, 'stripe webhook', check.reason, {
        stale: 'the Stripe-Signature timestamp is more than 5 minutes from now',
        invalid: 'the Stripe-Signature does not match: send the Stripe-Signature header Stripe signed the body with, and set the endpoint\'s signing secret'
      })
    }
    const parsed = parseSignedBody(body, opts.counts)
    const event = parsedOrRefused(parseStripeEvent(parsed), opts.counts, 'the body is not a Stripe event (id, type, data.object)')
    return await acceptDelivery(request.log, opts.dedupe, opts.processor, opts.counts, { name: 'stripe webhook', noun: 'event', id: event.id, event, logFields: { event: event.type } })
  })
}

/**
 * POST /v1/webhooks/stripe, authenticated only by Stripe's signature (no API key). Each event id is
 * applied once (SET NX in Redis, or in process); the answer is sent before the outcome is applied.
 */
export const stripeWebhookPlugin = fp(async function stripeWebhooks (fastify, opts: StripeWebhookOptions) {
  const counts: TimestampedDeliveryCounts = { accepted: 0, duplicate: 0, refused_signature: 0, refused_stale: 0, refused_body: 0 }
  const { dedupe, processor } = setUpGateway(fastify, { source: 'stripe', hashKey: opts.hashKey, keyPrefix: opts.keyPrefix, createProcessor: createStripeEventProcessor, counts })
  fastify.decorate('stripeWebhooks', processor)
  await fastify.register(stripeWebhookRoute, { counts, secrets: opts.secrets, dedupe, processor, now: opts.now ?? Date.now })
}, { name: 'stripe-webhooks', fastify: '5.x', dependencies: ['redis', 'decision-log', 'outbox', 'metrics'] })
