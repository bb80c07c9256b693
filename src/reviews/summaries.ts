import type { DecisionRecord } from '../decision-log/record.js'
import type { CompiledRule } from '../engine/ruleset.js'
import type { DecisionSummary } from '../schemas/decision-summary.js'
import type { ReviewSummary } from '../schemas/review-queue.js'
import { reviewOf } from './review-state.js'

/** A recorded decision as lists show it; reasons described by the live rule set (empty when a rule left it). */
export function decisionSummary (record: DecisionRecord, rules: ReadonlyMap<string, CompiledRule>): DecisionSummary {
  const summary: DecisionSummary = {
    decision_id: record.decision_id,
    charge_id: record.charge_id,
    at: record.at,
    amount: record.amount,
    currency: record.currency,
    country: record.features.ip?.country ?? null,
    card_country: record.features.card?.country ?? null,
    decision: record.decision,
    score: record.score,
    reasons: record.fired.map((rule) => ({ rule, description: rules.get(rule)?.description ?? '' })),
    degraded: record.degraded
  }
  if (record.outcome !== undefined) summary.outcome = record.outcome
  return summary
}

/** A `review` decision as the queue shows it: its summary and its review. */
export function reviewSummary (record: DecisionRecord, rules: ReadonlyMap<string, CompiledRule>, nowMs: number): ReviewSummary | undefined {
  const review = reviewOf(record, nowMs)
  return review === undefined ? undefined : { ...decisionSummary(record, rules), review }
}
