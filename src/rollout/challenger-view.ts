import { createRecordContext } from '../decision-log/codec.js'
import type { DigestOf, RecordContext } from '../decision-log/codec.js'
import type { Features } from '../engine/features.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import type { Decision, Reason } from '../schemas/decision.js'
import { ruleSetView } from '../scoring/rule-set-view.js'
import type { EvaluationView, RuleSetView } from '../scoring/score-charge.js'
import { createVelocityPlanner } from '../velocity/plan.js'
import type { VelocityPlanner } from '../velocity/plan.js'
import { challengerDecides } from './assignment.js'
import type { StagedChallenger } from './challenger-slot.js'
import { RuleSetRole } from './rollout.js'
import type { Rollout, RolloutMode } from './rollout.js'
import { sharedCounters } from './shared-counters.js'

/** What the scorer needs of a staged challenger beside one live set, built once per pair. */
export interface ChallengerView {
  readonly view: RuleSetView
  readonly rollout: Rollout
  /** the velocity of both sets: every counter of either, each counted once, in one store call */
  readonly planVelocity: VelocityPlanner
  /** whether the challenger decides this charge (src/rollout/assignment.ts) */
  decides: (features: Features, digestOf: DigestOf) => boolean
  /** the record context of a decision made by `decidedBy` with these data versions */
  context: (decidedBy: RuleSetRole, data: Readonly<Record<string, string>>) => RecordContext
}

// per staged challenger, per live set
const views = new WeakMap<StagedChallenger, WeakMap<CompiledRuleSet, ChallengerView>>()

/** The challenger's view beside `live`, built once per (challenger, live set) pair. */
export function challengerView (live: CompiledRuleSet, staged: StagedChallenger): ChallengerView {
  let byLive = views.get(staged)
  if (byLive === undefined) {
    byLive = new WeakMap()
    views.set(staged, byLive)
  }
  let view = byLive.get(live)
  if (view === undefined) {
    view = createChallengerView(live, staged)
    byLive.set(live, view)
  }
  return view
}

function createChallengerView (live: CompiledRuleSet, staged: StagedChallenger): ChallengerView {
  const challenger = staged.ruleSet
  const counters = sharedCounters(live, challenger)
  const names = counters.map((spec) => spec.name)
  const liveIds = live.rules.map((rule) => rule.id)
  const challengerIds = challenger.rules.map((rule) => rule.id)
  const rollout = staged.rollout
  // one pair of contexts per data versions object (a data reload makes a new one)
  const contexts = new WeakMap<object, { live: RecordContext, challenger: RecordContext }>()
  return {
    view: ruleSetView(challenger),
    rollout,
    planVelocity: createVelocityPlanner(counters),
    decides: (features, digestOf) => challengerDecides(rollout, features, digestOf),
    context (decidedBy, data) {
      let pair = contexts.get(data)
      if (pair === undefined) {
        pair = {
          live: createRecordContext(live, data, names, liveIds, { role: RuleSetRole.CHALLENGER, version: challenger.version, hash: challenger.hash, rules: challengerIds, mode: rollout.mode }),
          challenger: createRecordContext(challenger, data, names, challengerIds, { role: RuleSetRole.LIVE, version: live.version, hash: live.hash, rules: liveIds, mode: rollout.mode })
        }
        contexts.set(data, pair)
      }
      return decidedBy === RuleSetRole.LIVE ? pair.live : pair.challenger
    }
  }
}

/** One charge evaluated by the live set and a challenger. */
export interface ChallengerRun {
  /** which set decided */
  role: RuleSetRole
  /** the evaluation that decided: the answer's decision, score, reasons, shadow and skipped */
  decided: EvaluationView
  /** the set that decided */
  decider: RuleSetView
  /** the other set's evaluation */
  other: EvaluationView
  /** the challenger's evaluation (decided or other) */
  challenger: EvaluationView
}

/**
 * Evaluates the challenger on the features the live set was evaluated on (pure and synchronous,
 * after the same I/O), and says which of the two decides this charge.
 */
export function runChallenger (challenger: ChallengerView, live: RuleSetView, liveEvaluation: EvaluationView, features: Features, digestOf: DigestOf): ChallengerRun {
  const evaluation = challenger.view.evaluate(features)
  return challenger.decides(features, digestOf)
    ? { role: RuleSetRole.CHALLENGER, decided: evaluation, decider: challenger.view, other: liveEvaluation, challenger: evaluation }
    : { role: RuleSetRole.LIVE, decided: liveEvaluation, decider: live, other: evaluation, challenger: evaluation }
}

/** The `challenger` block of a score response. */
export interface ChallengerAnswer {
  version: string
  hash: string
  mode: RolloutMode
  /** true when the challenger decided this charge: the answer's decision, score and reasons are its own */
  decided: boolean
  decision: Decision
  score: number
  reasons: Reason[]
}

export function challengerAnswer (challenger: ChallengerView, run: ChallengerRun): ChallengerAnswer {
  return {
    version: challenger.view.version,
    hash: challenger.view.hash,
    mode: challenger.rollout.mode,
    decided: run.role === RuleSetRole.CHALLENGER,
    decision: run.challenger.decision,
    score: run.challenger.score,
    reasons: run.challenger.reasons
  }
}
