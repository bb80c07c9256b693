import type { DecisionRecord } from '../decision-log/record.js'
import type { CompiledRule } from '../engine/ruleset.js'
import type { Reason } from '../schemas/decision.js'
import type { Review } from '../schemas/review.js'
import { recordedReasons } from './recorded-reasons.js'
import { reviewOf } from './review-state.js'

export type DecisionDetail = DecisionRecord & { reasons: Reason[], review?: Review }

/** A recorded decision as GET /v1/decisions/:decision_id shows it: with its reasons and, for a `review`, its review. */
export function decisionDetail (record: DecisionRecord, rules: ReadonlyMap<string, CompiledRule>, nowMs: number): DecisionDetail {
  const detail: DecisionDetail = { ...record, reasons: recordedReasons(record, rules) }
  const review = reviewOf(record, nowMs)
  if (review !== undefined) detail.review = review
  return detail
}
