import { createRecordContext } from '../decision-log/codec.js'
import type { RecordContext } from '../decision-log/codec.js'
import { evaluate } from '../engine/evaluate.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { createVelocityPlanner } from '../velocity/plan.js'
import type { RuleSetView } from './score-charge.js'

const views = new WeakMap<CompiledRuleSet, RuleSetView>()

/**
 * What the scorer needs of a compiled rule set: its identity, its evaluation, its velocity
 * planner, its rules by id and the record context of each data version, built once per set (the
 * service and the offline CLI scorer share it).
 */
export function ruleSetView (ruleSet: CompiledRuleSet): RuleSetView {
  let view = views.get(ruleSet)
  if (view === undefined) {
    const rules = new Map(ruleSet.rules.map((rule) => [rule.id, { description: rule.description, score: rule.score, action: rule.action }]))
    const counters = ruleSet.velocity.map((spec) => spec.name)
    const ids = ruleSet.rules.map((rule) => rule.id)
    // one per data versions object (a data reload makes a new one)
    const contexts = new WeakMap<object, RecordContext>()
    view = {
      version: ruleSet.version,
      hash: ruleSet.hash,
      evaluate: (features) => evaluate(ruleSet, features),
      planVelocity: createVelocityPlanner(ruleSet.velocity),
      rule: (id) => rules.get(id),
      context (data) {
        let context = contexts.get(data)
        if (context === undefined) {
          context = createRecordContext(ruleSet, data, counters, ids)
          contexts.set(data, context)
        }
        return context
      }
    }
    views.set(ruleSet, view)
  }
  return view
}

/** The views of the last rule sets a process used, by hash: a retry is replayed with the set that decided it. */
export function createRuleSetHistory (size = 8): { remember: (view: RuleSetView) => RuleSetView, byHash: (hash: string) => RuleSetView | undefined } {
  const byHash = new Map<string, RuleSetView>()
  return {
    remember (view) {
      if (byHash.get(view.hash) !== view) {
        byHash.delete(view.hash)
        byHash.set(view.hash, view)
        if (byHash.size > size) byHash.delete(byHash.keys().next().value as string)
      }
      return view
    },
    byHash: (hash) => byHash.get(hash)
  }
}
