import { randomBytes } from 'node:crypto'
import type { DecisionRecord } from '../decision-log/record.js'
import { scrubCardNumbers } from '../security/scrub-card-numbers.js'

/** The events riskgate sends to the merchant's backend (RISKGATE_MERCHANT_WEBHOOK_URL). */
export const EventType = {
  REVIEW_OPENED: 'review.opened',
  REVIEW_CLOSED: 'review.closed'
} as const
export type EventType = typeof EventType[keyof typeof EventType]

export const ReviewAction = { APPROVE: 'approve', REJECT: 'reject' } as const
export type ReviewAction = typeof ReviewAction[keyof typeof ReviewAction]

/** `review.opened`: a `review` decision was recorded; hold the order (or keep the charge authorized, not captured). */
export interface ReviewOpenedData {
  decision_id: string
  charge_id: string
  decision: 'review'
  score: number
  /** minor units */
  amount: number
  currency: string
  /** ids of the live rules that fired */
  reasons: string[]
}

/** `review.closed`: an analyst approved (capture, ship) or rejected (void or refund, cancel) the held charge. */
export interface ReviewClosedData {
  decision_id: string
  charge_id: string
  action: ReviewAction
  outcome: 'review_approved' | 'review_rejected'
  /** who closed it: the API key id (`key:<id>`) or the console user (`console:<key id>`) */
  actor: string
  note?: string
  /** ISO 8601 */
  closed_at: string
}

interface EventEnvelope<T extends EventType, D> {
  /** `evt_` and 22 random base64url characters: unique per event, the same on every delivery attempt */
  id: string
  type: T
  /** unix seconds when the event was made */
  created: number
  data: D
}

export type ReviewOpenedEvent = EventEnvelope<typeof EventType.REVIEW_OPENED, ReviewOpenedData>
export type ReviewClosedEvent = EventEnvelope<typeof EventType.REVIEW_CLOSED, ReviewClosedData>
export type MerchantEvent = ReviewOpenedEvent | ReviewClosedEvent

/**
 * An event as it waits for delivery: its body is serialized once, when it is made, so that every
 * attempt sends (and signs) the same bytes.
 */
export interface PendingEvent {
  id: string
  type: EventType
  /** events of one decision are delivered in the order they were queued */
  decisionId: string
  /** when the event was made (ms): retries stop after the retry horizon counted from here */
  createdMs: number
  /** the JSON body, exactly as sent */
  body: string
}

/** What the reviews route tells when an analyst closed a review (the close is recorded already). */
export interface ReviewClosedInput {
  decisionId: string
  chargeId: string
  action: ReviewAction
  actor: string
  /** when the review was closed: the outcome's time */
  at: Date | string
  note?: string
}

export function newEventId (): string {
  return `evt_${randomBytes(16).toString('base64url')}`
}

function pending (event: MerchantEvent, decisionId: string, createdMs: number): PendingEvent {
  return { id: event.id, type: event.type, decisionId, createdMs, body: JSON.stringify(event) }
}

/**
 * `review.opened` of a recorded decision. Made from the record as the log keeps it, so it carries
 * what the record does in clear (amounts, rule ids) and nothing of the shopper: no identifier
 * (email, IP, card fingerprint, customer id, names), no card data.
 */
export function reviewOpenedEvent (record: Pick<DecisionRecord, 'decision_id' | 'charge_id' | 'score' | 'amount' | 'currency' | 'fired'>, createdMs: number, id = newEventId()): PendingEvent {
  const event: ReviewOpenedEvent = {
    id,
    type: EventType.REVIEW_OPENED,
    created: Math.floor(createdMs / 1000),
    data: {
      decision_id: record.decision_id,
      charge_id: record.charge_id,
      decision: 'review',
      score: record.score,
      amount: record.amount,
      currency: record.currency,
      reasons: [...record.fired]
    }
  }
  return pending(event, record.decision_id, createdMs)
}

/** `review.closed` of a review an analyst closed. The note is scrubbed of card numbers (again). */
export function reviewClosedEvent (input: ReviewClosedInput, createdMs: number, id = newEventId()): PendingEvent {
  const closedAt = input.at instanceof Date ? input.at : new Date(input.at)
  if (Number.isNaN(closedAt.getTime())) throw new RangeError('review closed: `at` is not a time')
  const data: ReviewClosedData = {
    decision_id: input.decisionId,
    charge_id: input.chargeId,
    action: input.action,
    outcome: input.action === ReviewAction.APPROVE ? 'review_approved' : 'review_rejected',
    actor: input.actor,
    ...(input.note !== undefined && input.note !== '' ? { note: scrubCardNumbers(input.note) } : {}),
    closed_at: closedAt.toISOString()
  }
  const event: ReviewClosedEvent = { id, type: EventType.REVIEW_CLOSED, created: Math.floor(createdMs / 1000), data }
  return pending(event, input.decisionId, createdMs)
}
