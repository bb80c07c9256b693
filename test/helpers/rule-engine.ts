import { compileRuleSet } from '../../src/engine/compile.js'
import type { Features } from '../../src/engine/features.js'
import type { CompiledRuleSet, ListSource } from '../../src/engine/ruleset.js'
import type { SourceError } from '../../src/engine/yaml-source.js'

export const RULESET_FILE = 'rules/ruleset.yaml'

/** A rule set text with the given rules (YAML lines, indented under `rules:`) and a default header. */
export function ruleSetText (rules: string, header = ''): string {
  return [
    'version: "test.1"',
    'thresholds: { review: 50, block: 80 }',
    header,
    'rules:',
    rules
  ].join('\n')
}

function listSources (lists: Record<string, string[]>): Record<string, ListSource> {
  return Object.fromEntries(Object.entries(lists).map(([name, values]) => [name, { file: `rules/lists/${name}.txt`, values }]))
}

export function compileErrors (text: string, lists: Record<string, string[]> = {}): SourceError[] {
  const result = compileRuleSet({ file: RULESET_FILE, text, lists: listSources(lists) })
  return result.ok ? [] : result.errors
}

/** Compiles or throws with every error, for tests that need a valid set. */
export function compileOk (text: string, lists: Record<string, string[]> = {}): CompiledRuleSet {
  const result = compileRuleSet({ file: RULESET_FILE, text, lists: listSources(lists) })
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'))
  return result.ruleSet
}

/** A charge with nothing but the required fields: every optional signal is unknown. */
export function features (extra: Record<string, unknown> = {}): Features {
  return {
    amount: 10000,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: {},
    ip: { address: '203.0.113.10', version: 4, is_private: false },
    customer: {},
    ...extra
  } as Features
}
