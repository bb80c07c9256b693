import fp from 'fastify-plugin'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorCode, RiskgateError } from '../errors.js'
import { WEBHOOK_ERROR_RESPONSES, WebhookAckSchema } from '../schemas/webhook.js'
import { acceptDelivery, parsedOrRefused, parseSignedBody, refuseTimestampedSignature } from '../webhooks/accept-delivery.js'
import type { TimestampedDeliveryCounts } from '../webhooks/accept-delivery.js'
import type { EventDedupe } from '../webhooks/event-dedupe.js'
import { setUpGateway } from '../webhooks/gateway-plugin-setup.js'
import { keepRawJsonBody, rawBodyOf } from '../webhooks/raw-json-body.js'
import { parseOmiseEvent } from '../webhooks/omise/event.js'
import { createOmiseEventProcessor } from '../webhooks/omise/processor.js'
import type { OmiseEventProcessor } from '../webhooks/omise/processor.js'
import { OMISE_SIGNATURE_HEADER, OMISE_TIMESTAMP_HEADER, verifyOmiseSignature } from '../webhooks/omise/signature.js'

export interface OmiseWebhookOptions {
  /** RISKGATE_OMISE_WEBHOOK_SECRETS, base64-decoded; none: the route answers 503 webhook_not_configured */
  secrets: readonly Buffer[]
  /** RISKGATE_HASH_KEY (event ids in Redis keys are keyed hashes) */
  hashKey: string
  /** Redis key prefix of the event ids (tests) */
  keyPrefix?: string
  now?: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the background processing of accepted Omise events (flush: wait for it) */
    omiseWebhooks: OmiseEventProcessor
  }
}

/** Omise events embed the whole charge; 256 KiB is far above any of them */
const WEBHOOK_BODY_LIMIT = 256 * 1024

/** deliveries the route answered, by what it did with them */
interface RouteOptions {
  counts: TimestampedDeliveryCounts
  secrets: readonly Buffer[]
  dedupe: EventDedupe
  processor: OmiseEventProcessor
  now: () => number
}

const omiseWebhookRoute: FastifyPluginAsyncTypebox<RouteOptions> = async function omiseWebhookRoute (fastify, opts) {
  keepRawJsonBody(fastify, WEBHOOK_BODY_LIMIT)

  fastify.post('/v1/webhooks/omise', {
    bodyLimit: WEBHOOK_BODY_LIMIT,
    schema: {
      summary: 'Omise (Opn Payments) webhook: charge, refund and dispute events become outcomes of recorded decisions',
      description: 'Authenticated by the Omise-Signature header (HMAC-SHA256 of "<Omise-Signature-Timestamp>.<raw body>" with the base64-decoded webhook secret), not by an API key.',
      tags: ['webhooks'],
      response: {
        200: WebhookAckSchema,
        ...WEBHOOK_ERROR_RESPONSES
      }
    }
  }, async function omiseWebhook (request) {
    if (opts.secrets.length === 0) {
      throw new RiskgateError(503, ErrorCode.WEBHOOK_NOT_CONFIGURED, 'Omise webhooks are not configured: set RISKGATE_OMISE_WEBHOOK_SECRETS')
    }
    const body = rawBodyOf(request.body)
    const header = (name: string): string | undefined => {
      const value = request.headers[name]
      return typeof value === 'string' ? value : undefined
    }
    const check = verifyOmiseSignature({
      body,
      signature: header(OMISE_SIGNATURE_HEADER),
      timestamp: header(OMISE_TIMESTAMP_HEADER),
      secrets: opts.secrets,
      nowSeconds: Math.floor(opts.now() / 1000)
    })
    if (!check.ok) {
      refuseTimestampedSignature(request.log, opts.counts, 'omise webhook', check.reason, {
        stale: 'the Omise-Signature-Timestamp is more than 5 minutes from now',
        invalid: 'the Omise-Signature does not match: send the Omise-Signature and Omise-Signature-Timestamp headers Omise signed the body with'
      })
    }
    const parsed = parseSignedBody(body, opts.counts)
    const event = parsedOrRefused(parseOmiseEvent(parsed), opts.counts, 'the body is not an Omise event (id, key, data)')
    return await acceptDelivery(request.log, opts.dedupe, opts.processor, opts.counts, { name: 'omise webhook', noun: 'event', id: event.id, event, logFields: { event: event.key } })
  })
}

/**
 * POST /v1/webhooks/omise, authenticated only by Omise's signature (no API key). Each event id is
 * applied once (SET NX in Redis, or in process); the answer is sent before the outcome is applied.
 */
export const omiseWebhookPlugin = fp(async function omiseWebhooks (fastify, opts: OmiseWebhookOptions) {
  const counts: TimestampedDeliveryCounts = { accepted: 0, duplicate: 0, refused_signature: 0, refused_stale: 0, refused_body: 0 }
  const { dedupe, processor } = setUpGateway(fastify, { source: 'omise', hashKey: opts.hashKey, keyPrefix: opts.keyPrefix, createProcessor: createOmiseEventProcessor, counts })
  fastify.decorate('omiseWebhooks', processor)
  await fastify.register(omiseWebhookRoute, { counts, secrets: opts.secrets, dedupe, processor, now: opts.now ?? Date.now })
}, { name: 'omise-webhooks', fastify: '5.x', dependencies: ['redis', 'decision-log', 'outbox', 'metrics'] })
