import { evaluate } from '../engine/evaluate.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { createVelocityPlanner } from '../velocity/plan.js'
import type { RuleSetView } from './score-charge.js'

const views = new WeakMap<CompiledRuleSet, RuleSetView>()

/**
 * What the scorer needs of a compiled rule set: its identity, its evaluation and its velocity
 * planner, built once per set (the service and the offline CLI scorer share it).
 */
export function ruleSetView (ruleSet: CompiledRuleSet): RuleSetView {
  let view = views.get(ruleSet)
  if (view === undefined) {
    view = {
      version: ruleSet.version,
      hash: ruleSet.hash,
      evaluate: (features) => evaluate(ruleSet, features),
      planVelocity: createVelocityPlanner(ruleSet.velocity)
    }
    views.set(ruleSet, view)
  }
  return view
}
