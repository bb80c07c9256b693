import type { DecisionRecord } from '../decision-log/record.js'
import { HIDDEN, readPath } from '../engine/compiled/program.js'
import { shownValue } from '../engine/evaluate.js'
import type { CompiledRule } from '../engine/ruleset.js'
import type { Reason } from '../schemas/decision.js'

/**
 * The reasons of a recorded decision: each fired rule with its description, score and action in
 * the live rule set and the values of the feature paths the live rule reads, from the recorded
 * features (so identifiers show as their keyed digests), as a live answer shows them. A rule no
 * longer in the live set is named with an empty description and no values.
 */
export function recordedReasons (record: Pick<DecisionRecord, 'fired' | 'features'>, rules: ReadonlyMap<string, CompiledRule>): Reason[] {
  return record.fired.map((id) => {
    const rule = rules.get(id)
    if (rule === undefined) return { rule: id, description: '', score: null, action: null, values: {} }
    const values: Reason['values'] = {}
    for (const read of rule.shows) {
      const value = shownValue(readPath(record.features, read.segments))
      if (value !== HIDDEN) values[read.path] = value as Reason['values'][string]
    }
    return { rule: id, description: rule.description, score: rule.score, action: rule.action, values }
  })
}
