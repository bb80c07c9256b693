import type { FastifyBaseLogger } from 'fastify'
import { ErrorCode, RiskgateError } from '../errors.js'
import type { EventDedupe } from './event-dedupe.js'

/** What a gateway webhook route counts of the deliveries it answers (riskgate_webhook_deliveries_total). */
export interface DeliveryCounts {
  accepted: number
  duplicate: number
  refused_signature: number
  refused_body: number
}

/** ...and of gateways that sign a timestamp (Omise, Stripe) */
export interface TimestampedDeliveryCounts extends DeliveryCounts {
  refused_stale: number
}

/**
 * A timestamped signature that did not verify (Omise, Stripe): counted, logged with its reason
 * only (never the signature or the secret), and refused: 400 `webhook_timestamp_stale` when it was
 * signed but too far from now, else 401 `webhook_signature_invalid`.
 */
export function refuseTimestampedSignature (log: FastifyBaseLogger, counts: TimestampedDeliveryCounts, name: string, reason: string,
  messages: { stale: string, invalid: string }): never {
  log.warn({ reason }, `${name} refused`)
  if (reason === 'stale') {
    counts.refused_stale++
    throw new RiskgateError(400, ErrorCode.WEBHOOK_TIMESTAMP_STALE, messages.stale)
  }
  counts.refused_signature++
  throw new RiskgateError(401, ErrorCode.WEBHOOK_SIGNATURE_INVALID, messages.invalid)
}

/** The JSON of a signed body, or a 400 `invalid_json` (counted as a refused body). */
export function parseSignedBody (body: Buffer, counts: DeliveryCounts): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    counts.refused_body++
    throw new RiskgateError(400, ErrorCode.INVALID_JSON, 'the request body is not valid JSON')
  }
}

/** A signed body's parsed event, or a 400 `validation_failed` saying what was expected (counted as a refused body). */
export function parsedOrRefused<E> (parsed: E | undefined, counts: DeliveryCounts, expected: string): E {
  if (parsed !== undefined) return parsed
  counts.refused_body++
  throw new RiskgateError(400, ErrorCode.VALIDATION_FAILED, expected)
}

export interface Delivery<E> {
  /** `omise webhook`, `stripe webhook`, `midtrans notification`: how log lines name it */
  name: string
  /** what a 503 says cannot be recorded: `event`, `notification` */
  noun: string
  id: string
  event: E
  /** more fields of the `received` log line (the event type) */
  logFields?: Record<string, unknown>
}

/**
 * The end of every gateway webhook route, once the delivery is verified and parsed: its id
 * claimed once (a 503 when the event store cannot say), the event handed to the processor (the
 * outbox applies its outcome after the answer), the delivery counted, and the answer.
 */
export async function acceptDelivery<E> (log: FastifyBaseLogger, dedupe: Pick<EventDedupe, 'claim'>, processor: { submit: (event: E) => void },
  counts: DeliveryCounts, delivery: Delivery<E>): Promise<{ received: true, duplicate: boolean }> {
  let claimed: boolean
  try {
    claimed = await dedupe.claim(delivery.id)
  } catch (err) {
    log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, `${delivery.name}: event store unavailable`)
    throw new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, `the ${delivery.noun} cannot be recorded now: retry later`)
  }
  log.info({ event_id: delivery.id, ...delivery.logFields, duplicate: !claimed }, `${delivery.name} received`)
  // answered now; the outcome is applied in the background
  if (claimed) processor.submit(delivery.event)
  counts[claimed ? 'accepted' : 'duplicate']++
  return { received: true as const, duplicate: !claimed }
}
