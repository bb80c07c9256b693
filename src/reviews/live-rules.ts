import type { CompiledRule, CompiledRuleSet } from '../engine/ruleset.js'

const byId = new WeakMap<CompiledRuleSet, ReadonlyMap<string, CompiledRule>>()

/** The rules of a rule set by id, built once per set. */
export function rulesById (ruleSet: CompiledRuleSet): ReadonlyMap<string, CompiledRule> {
  let rules = byId.get(ruleSet)
  if (rules === undefined) {
    rules = new Map(ruleSet.rules.map((rule) => [rule.id, rule]))
    byId.set(ruleSet, rules)
  }
  return rules
}
