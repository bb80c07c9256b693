import type { CompiledRuleSet } from '../engine/ruleset.js'
import type { Static } from 'typebox'
import type { RuleSetViewSchema } from '../schemas/rules.js'

/** A compiled rule set as the API shows it (GET /v1/rules, GET /v1/rules/challenger): never list values. */
export function describeRuleSet (ruleSet: CompiledRuleSet, loadedAt: Date): Static<typeof RuleSetViewSchema> {
  const d = ruleSet.definition
  return {
    version: d.version,
    hash: d.hash,
    file: d.file,
    loaded_at: loadedAt.toISOString(),
    thresholds: { ...d.thresholds },
    velocity: d.velocity.map((v) => ({ name: v.name, kind: v.kind, ...(v.of !== undefined ? { of: v.of } : {}), by: [...v.by], window_seconds: v.windowSeconds })),
    lists: d.lists.map((l) => ({ ...l })),
    rules: d.rules.map((r) => ({ ...r }))
  }
}
