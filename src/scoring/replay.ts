import { withIdentifiers } from '../decision-log/codec.js'
import type { DecisionRecord } from '../decision-log/record.js'
import type { Features } from '../engine/features.js'
import type { Reason, ScoreResponse } from '../schemas/decision.js'
import { responseSignals } from './response-signals.js'
import type { EvaluationView, RuleSetView } from './score-charge.js'

/**
 * The answer to a retry of a recorded charge: the recorded decision (same decision id, decision,
 * score, degraded signals, rule set and data versions), with the identifiers the retry sent in its
 * own (identical) body in place of the recorded digests.
 *
 * Reasons and skipped rules come from evaluating the recorded features again with the rule set
 * that decided (the engine is pure: the same features and rules give the same evaluation). When
 * this process no longer holds that rule set (it was replaced since), the fired rules are listed
 * with the live set's description of the same rule id, or none, and without values.
 */
export function replayResponse (record: DecisionRecord, retry: Features, ruleSet: RuleSetView | undefined, live: RuleSetView): Omit<ScoreResponse, 'took_ms'> {
  const features = withIdentifiers(record.features, retry)
  const evaluation: EvaluationView | undefined = ruleSet?.evaluate(features)
  const signals = responseSignals(features)
  const fallback = (ids: readonly string[]): Reason[] => ids.map((id) => {
    const rule = live.rule(id)
    return { rule: id, description: rule?.description ?? '', score: rule?.score ?? null, action: rule?.action ?? null, values: {} }
  })
  return {
    decision_id: record.decision_id,
    charge_id: record.charge_id,
    decision: record.decision,
    score: record.score,
    reasons: evaluation?.reasons ?? fallback(record.fired),
    shadow: {
      decision: record.shadow.decision,
      score: record.shadow.score,
      reasons: evaluation?.shadow.reasons ?? fallback(record.shadow.fired)
    },
    skipped: evaluation?.skipped ?? record.skipped.map((rule) => ({ rule, unknown: [] })),
    signals,
    degraded: record.degraded as ScoreResponse['degraded'],
    ruleset: { ...record.ruleset },
    data: { ...record.data },
    replayed: true
  }
}
