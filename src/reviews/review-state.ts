import type { DecisionOutcome, DecisionRecord, OutcomeLabel } from '../decision-log/record.js'
import { closesReview } from '../decision-log/store.js'
import { ReviewAction, ReviewStatus } from '../schemas/review.js'
import type { Review } from '../schemas/review.js'

/** the outcome a review close records */
export function closeLabel (action: ReviewAction): OutcomeLabel {
  return action === ReviewAction.APPROVE ? 'review_approved' : 'review_rejected'
}

/** the action of a close outcome */
export function closeAction (label: OutcomeLabel): ReviewAction {
  return label === 'review_approved' ? ReviewAction.APPROVE : ReviewAction.REJECT
}

/**
 * The outcome that closed the decision's review: the first review_approved / review_rejected of
 * its history (the first close stands), or its latest outcome when that is one (a history whose
 * oldest outcomes were dropped); undefined while the review is open.
 */
export function reviewClose (record: Pick<DecisionRecord, 'outcome' | 'outcomes'>): DecisionOutcome | undefined {
  const close = record.outcomes?.find((outcome) => closesReview(outcome.label))
  if (close !== undefined) return close
  return record.outcome !== undefined && closesReview(record.outcome.label) ? record.outcome : undefined
}

function secondsBetween (fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000))
}

/**
 * The review of a `review` decision (undefined for `allow` and `block`): open, aged from the
 * decision to `nowMs`; or closed, aged from the decision to its close.
 */
export function reviewOf (record: Pick<DecisionRecord, 'decision' | 'at' | 'outcome' | 'outcomes'>, nowMs: number): Review | undefined {
  if (record.decision !== 'review') return undefined
  const decidedMs = Date.parse(record.at)
  const close = reviewClose(record)
  if (close === undefined) return { status: ReviewStatus.OPEN, age_seconds: secondsBetween(decidedMs, nowMs) }
  return {
    status: ReviewStatus.CLOSED,
    age_seconds: secondsBetween(decidedMs, Date.parse(close.at)),
    closed: {
      action: closeAction(close.label),
      // a close is always made by someone (POST /v1/reviews records the actor); its source otherwise
      actor: close.actor ?? close.source,
      at: close.at,
      ...(close.note !== undefined ? { note: close.note } : {})
    }
  }
}
