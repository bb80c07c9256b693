import { createHash } from 'node:crypto'
import type { Thresholds } from './ruleset.js'
import type { VelocityCounterSpec } from './velocity-spec.js'

export interface HashInput {
  version: string
  thresholds: Thresholds
  velocity: readonly VelocityCounterSpec[]
  lists: ReadonlyMap<string, ReadonlySet<string>>
  rules: ReadonlyArray<{ id: string, description: string, when: string, score: number | null, action: string | null, mode: string }>
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * sha256 of the rule set's meaning: version, thresholds, counters, every list's values (as a sorted
 * set) and the rules in order. Comments, key order, quoting and YAML layout do not change it; any
 * change of a condition, score, action, mode, description or list entry does.
 */
export function hashRuleSet (input: HashInput): string {
  const lists: Record<string, string[]> = {}
  for (const name of [...input.lists.keys()].sort()) lists[name] = [...(input.lists.get(name) ?? [])].sort()
  const canonical = canonicalJson({
    format: 'riskgate-ruleset/1',
    version: input.version,
    thresholds: input.thresholds,
    velocity: [...input.velocity].sort((a, b) => (a.name < b.name ? -1 : 1)),
    lists,
    rules: input.rules.map(({ id, description, when, score, action, mode }) => ({ id, description, when, score, action, mode }))
  })
  return createHash('sha256').update(canonical).digest('hex')
}
