import { Environment, EvaluationError } from '@marcbachmann/cel-js'
import type { ASTNode } from '@marcbachmann/cel-js'
import { CelScalar, GROUP_ROOTS, ITEM_FIELDS, SCALAR_ROOTS } from './feature-catalog.js'
import type { FieldGroup } from './feature-catalog.js'
import { createPatternSet } from './re2-pattern.js'
import type { PatternSet } from './re2-pattern.js'

/**
 * CEL message values. cel-js recognises a message by its constructor, so each group of fields has
 * its own class; the engine fills instances from the Features (src/engine/cel-context.ts).
 */
export class CelMessage {
  [field: string]: unknown
}
export class CelIp extends CelMessage {}
export class CelEmail extends CelMessage {}
export class CelCard extends CelMessage {}
export class CelAddress extends CelMessage {}
export class CelCustomer extends CelMessage {}
export class CelDevice extends CelMessage {}
export class CelItem extends CelMessage {}
export class CelVelocity extends CelMessage {}
export class CelLists extends CelMessage {}

export const MESSAGE_CLASSES: Readonly<Record<string, typeof CelMessage>> = {
  Ip: CelIp,
  Email: CelEmail,
  Card: CelCard,
  Address: CelAddress,
  Customer: CelCustomer,
  Device: CelDevice,
  Item: CelItem
}

/**
 * The name `matches` calls go by in a parsed condition (see RuleEnvironment): riskgate's RE2
 * `matches`, registered under a name no CEL source can spell (an identifier cannot start with a
 * digit), so that a condition can only reach it through `matches`.
 */
export const RE2_MATCHES = '0matches'

/** A message or a condition's text as its author wrote it: `matches`, not RE2_MATCHES. */
export function authorsText (text: string): string {
  return text.replaceAll(`.${RE2_MATCHES}(`, '.matches(')
}

/** A `matches` call of a parsed condition: its pattern, when it is a string literal, and where that is. */
export interface MatchesCall {
  pattern: string | undefined
  /** offset in the condition of the pattern argument */
  start: number
}

/** Every `matches` call of a condition parsed by a RuleEnvironment, in source order. */
export function matchesCalls (ast: ASTNode): MatchesCall[] {
  const calls: MatchesCall[] = []
  const walk = (node: ASTNode): void => {
    if (node.op === 'rcall' && node.args[0] === RE2_MATCHES && node.args[2].length === 1) {
      const arg = node.args[2][0] as ASTNode
      calls.push({ pattern: arg.op === 'value' && typeof arg.args === 'string' ? arg.args : undefined, start: arg.start })
    }
    visit(node.op === 'value' ? undefined : node.args)
  }
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value !== null && typeof value === 'object' && 'op' in value) walk(value as ASTNode)
  }
  walk(ast)
  return calls.sort((a, b) => a.start - b.start)
}

/** Points every `matches` call of a freshly parsed condition at RE2_MATCHES (macros share these nodes). */
function useRe2Matches (ast: ASTNode): void {
  const walk = (node: ASTNode): void => {
    if (node.op === 'rcall' && node.args[0] === 'matches') node.args[0] = RE2_MATCHES
    visit(node.op === 'value' ? undefined : node.args)
  }
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit)
    else if (value !== null && typeof value === 'object' && 'op' in value) walk(value as ASTNode)
  }
  walk(ast)
}

/**
 * The CEL environment of a rule set. cel-js's own `string.matches(string)` runs a JavaScript
 * `RegExp` (backtracking: some patterns take exponential time) and cannot be replaced in an
 * environment, so every condition this environment parses calls RE2_MATCHES instead, before it is
 * type-checked: the same signature, RE2 syntax on a linear-time engine (src/engine/re2-pattern.ts).
 * `evaluate` parses through `parse`, so no text evaluated here reaches cel-js's `matches`.
 */
export class RuleEnvironment extends Environment {
  override parse (expression: string): ReturnType<Environment['parse']> {
    const parsed = super.parse(expression)
    useRe2Matches(parsed.ast)
    return parsed
  }

  override evaluate (expression: string, context?: Parameters<Environment['evaluate']>[1]): ReturnType<Environment['evaluate']> {
    return this.parse(expression)(context)
  }

  /** cel-js's clone() would make a plain Environment: with cel-js's `matches` */
  override clone (): never {
    throw new Error('a rule environment is not cloned: create another with createCelEnvironment()')
  }
}

/**
 * Functions riskgate adds to standard CEL (documented in rules/README.md), and its `matches`. The
 * standard library of cel-js stays available: `contains`, `startsWith`, `endsWith`, `lowerAscii`,
 * `upperAscii`, `trim`, `split`, `size`, `exists`, `all`, `filter`, `map`, `cel.bind`, `has`, `int`,
 * `double`, `string`.
 */
function registerFunctions (env: Environment, patterns: PatternSet): void {
  env.registerFunction('string.containsAny(list<string>): bool', (text: string, needles: Iterable<string>) => {
    for (const needle of needles) if (text.includes(needle)) return true
    return false
  }, { description: 'true when the string contains any of the given substrings (case-sensitive)' })
  env.registerFunction(`string.${RE2_MATCHES}(string): bool`, (text: string, pattern: string) => {
    // every pattern of the rule set was compiled when the set was (src/engine/compile-condition.ts)
    const compiled = patterns.get(pattern)
    if (compiled === undefined) throw new EvaluationError({ code: 'invalid_regular_expression', message: `matches(): the pattern was not compiled with the rule set: ${JSON.stringify(pattern)}` })
    return compiled.test(text)
  }, { description: 'true when the string contains a match of the RE2 pattern' })
}

function fieldTypes (fields: FieldGroup): Record<string, string> {
  return { ...fields }
}

/**
 * The type-checking CEL environment of one rule set: the Features (DESIGN.md "Signals available to
 * rules") plus `velocity.<counter>` (int) and `lists.<name>` (a set of strings: a map<string, bool>
 * whose keys are the values, because cel-js answers `in` on a map in O(1) but scans a list) for
 * exactly the counters and lists the rule set declares, so reading anything else fails to compile.
 * `matches` finds its compiled patterns in `patterns`, the rule set's.
 */
export function createCelEnvironment (
  velocityNames: readonly string[], listNames: readonly string[], patterns: PatternSet = createPatternSet()
): RuleEnvironment {
  const env = new RuleEnvironment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: true })
  const registered = new Set<string>()
  for (const { type, fields } of Object.values(GROUP_ROOTS)) {
    if (registered.has(type)) continue
    registered.add(type)
    env.registerType(type, { ctor: MESSAGE_CLASSES[type] as typeof CelMessage, fields: fieldTypes(fields) })
  }
  env.registerType('Item', { ctor: CelItem, fields: fieldTypes(ITEM_FIELDS) })
  env.registerType('Velocity', {
    ctor: CelVelocity,
    fields: Object.fromEntries(velocityNames.map((name) => [name, CelScalar.INT]))
  })
  env.registerType('Lists', {
    ctor: CelLists,
    fields: Object.fromEntries(listNames.map((name) => [name, 'map<string, bool>']))
  })

  for (const [name, type] of Object.entries(SCALAR_ROOTS)) env.registerVariable(name, type)
  for (const [name, { type }] of Object.entries(GROUP_ROOTS)) env.registerVariable(name, type)
  env.registerVariable('items', 'list<Item>')
  env.registerVariable('metadata', 'map<string, dyn>')
  env.registerVariable('velocity', 'Velocity')
  env.registerVariable('lists', 'Lists')
  registerFunctions(env, patterns)
  return env
}
