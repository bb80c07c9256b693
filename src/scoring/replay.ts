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
export function replayResponse (record: DecisionRecord, retry: Features, ruleSet: RuleSetView | undefined, live: RuleSetView,
  viewOf: (hash: string) => RuleSetView | undefined = () => undefined): Omit<ScoreResponse, 'took_ms'> {
  const features = withIdentifiers(record.features, retry)
  const evaluation: EvaluationView | undefined = ruleSet?.evaluate(features)
  const signals = responseSignals(features)
  const fallback = (ids: readonly string[]): Reason[] => ids.map((id) => {
    const rule = live.rule(id)
    return { rule: id, description: rule?.description ?? '', score: rule?.score ?? null, action: rule?.action ?? null, values: {} }
  })
  const reasons = evaluation?.reasons ?? fallback(record.fired)
  const answer: Omit<ScoreResponse, 'took_ms'> = {
    decision_id: record.decision_id,
    charge_id: record.charge_id,
    decision: record.decision,
    score: record.score,
    reasons,
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
  const rollout = record.rollout
  if (rollout !== undefined) {
    // the recorded rollout: which set decided, and the challenger's outcome (its reasons evaluated
    // again when this process still holds it, else its fired rules without values)
    const decided = rollout.decided_by === 'challenger'
    answer.ruleset = { ...record.ruleset, role: rollout.decided_by }
    const challengerView = decided ? undefined : viewOf(rollout.challenger.hash)
    answer.challenger = {
      version: rollout.challenger.version,
      hash: rollout.challenger.hash,
      mode: rollout.mode,
      decided,
      decision: rollout.challenger.decision,
      score: rollout.challenger.score,
      reasons: decided
        ? reasons
        : challengerView?.evaluate(features).reasons ?? rollout.challenger.fired.map((id) => ({ rule: id, description: '', score: null, action: null, values: {} }))
    }
  }
  return answer
}
