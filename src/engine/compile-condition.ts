import type { ASTNode, Environment } from '@marcbachmann/cel-js'
import type { Scalar } from 'yaml'
import { authorsText, matchesCalls, RE2_MATCHES } from './cel-environment.js'
import { findForeignSyntax } from './cel-idioms.js'
import { findConditionReads } from './cel-reads.js'
import type { ConditionReads } from './cel-reads.js'
import { compileToJs } from './compiled/compile-js.js'
import type { JsCompileResult } from './compiled/compile-js.js'
import type { SharedCode } from './compiled/codegen.js'
import type { NameWhitelist } from './compiled/message-types.js'
import { suggestDeclared, suggestField, suggestFunction, suggestVariable } from './name-suggestions.js'
import { PatternError } from './re2-pattern.js'
import type { PatternSet } from './re2-pattern.js'
import { didYouMean, orList } from './suggest.js'
import type { YamlSource } from './yaml-source.js'

export const MAX_CONDITION_LENGTH = 4_096

export interface CompiledCondition {
  condition: (context: Record<string, unknown>) => unknown
  /** the parsed and type-checked condition (cel-js's AST) */
  ast: unknown
  /** the condition compiled to JavaScript, or why it stays interpreted */
  js: JsCompileResult
  reads: ConditionReads
}

export interface ConditionScope {
  /** a RuleEnvironment (src/engine/cel-environment.ts) whose `matches` reads `patterns` */
  env: Environment
  /** the rule set's regular expressions, compiled here as the conditions are */
  patterns: PatternSet
  velocity: ReadonlySet<string>
  lists: ReadonlySet<string>
  /** the names compiled conditions may read */
  names: NameWhitelist
  /** what the set's compiled conditions share (src/engine/compiled/codegen.ts) */
  shared: SharedCode
}

function celErrorParts (error: unknown): { start: number | undefined, message: string } {
  if (error !== null && typeof error === 'object') {
    const e = error as { range?: { start?: unknown }, summary?: unknown, message?: unknown }
    const start = typeof e.range?.start === 'number' ? e.range.start : undefined
    const message = typeof e.summary === 'string' ? e.summary : typeof e.message === 'string' ? e.message : String(error)
    return { start, message: authorsText(message) }
  }
  return { start: undefined, message: authorsText(String(error)) }
}

function declaredList (names: ReadonlySet<string>): string {
  return names.size === 0 ? 'none' : [...names].join(', ')
}

/**
 * What the author may have meant by the name a type error is about: a variable (`country` ->
 * ip.country...), a field (`ip.countyr` -> ip.country) or a function (`lowercase` -> lowerAscii).
 */
function suggestionsFor (error: unknown, env: Environment): string[] {
  if (error === null || typeof error !== 'object') return []
  const { code, node } = error as { code?: unknown, node?: ASTNode }
  if (node === undefined || node === null || typeof node !== 'object') return []
  if (code === 'unknown_variable' && node.op === 'id') return suggestVariable(node.args)
  if (code === 'no_such_key') {
    const key = node.op === '.' ? node.args[1] : node.op === '[]' && node.args[1].op === 'value' ? node.args[1].args : undefined
    return typeof key === 'string' ? suggestField(node, key) : []
  }
  if (code === 'no_matching_overload' && (node.op === 'call' || node.op === 'rcall')) {
    const name = node.args[0]
    return name === RE2_MATCHES ? [] : suggestFunction(env, name)
  }
  return []
}

/** ` did you mean x?`, or '' */
function meant (names: readonly string[]): string {
  return names.length === 0 ? '' : ` did you mean ${orList(names)}?`
}

/** Reports each SQL- or Python-style construct of the condition; false when it has none. */
function reportForeignSyntax (text: string, errorAt: (index: number, message: string) => undefined): boolean {
  const foreign = findForeignSyntax(text)
  for (const f of foreign) errorAt(f.start, `syntax error: ${f.message}`)
  return foreign.length > 0
}

/**
 * Compiles the patterns of the condition's `matches` calls into the rule set's patterns, each once:
 * a pattern must be a string literal (a pattern computed from the charge would let the charge choose
 * the regular expression, and pay for compiling it on every charge) that RE2 accepts.
 */
function compilePatterns (ast: Parameters<typeof matchesCalls>[0], patterns: PatternSet, errorAt: (index: number, message: string) => undefined): boolean {
  let ok = true
  for (const call of matchesCalls(ast)) {
    if (call.pattern === undefined) {
      errorAt(call.start, 'matches() takes its pattern as a string literal ("^gift ?card$"), not a value computed per charge')
      ok = false
      continue
    }
    try {
      patterns.add(call.pattern)
    } catch (error) {
      if (!(error instanceof PatternError)) throw error
      errorAt(call.start, `matches(): ${error.message}`)
      ok = false
    }
  }
  return ok
}

/**
 * Parses and type-checks one `when:` condition. Errors are recorded at the exact line and column
 * of the YAML file, wherever the condition sits (plain, quoted or block scalar).
 */
export function compileCondition (
  source: YamlSource, scalar: Scalar, text: string, scope: ConditionScope, ruleId: string | undefined
): CompiledCondition | undefined {
  const errorAt = (index: number | undefined, message: string): undefined => {
    source.errorAt(source.scalarOffset(scalar, index ?? 0), message, ruleId)
    return undefined
  }
  if (text.trim() === '') return errorAt(0, 'when: the condition is empty')
  if (text.length > MAX_CONDITION_LENGTH) return errorAt(0, `when: the condition is longer than ${MAX_CONDITION_LENGTH} characters`)

  let parsed: ReturnType<Environment['parse']>
  try {
    parsed = scope.env.parse(text)
  } catch (error) {
    // `and`, `=`, `in ("NG", "GH")`...: say what to write, where the parser would say what it expected
    if (reportForeignSyntax(text, errorAt)) return undefined
    const { start, message } = celErrorParts(error)
    return errorAt(start, `syntax error: ${message}`)
  }

  const reads = findConditionReads(parsed.ast)
  let undeclared = false
  for (const ref of reads.velocity) {
    if (scope.velocity.has(ref.name)) continue
    undeclared = true
    errorAt(ref.start, `velocity.${ref.name} is not declared under velocity:${meant(suggestDeclared('velocity', ref.name, scope.velocity))} (declared: ${declaredList(scope.velocity)})`)
  }
  for (const ref of reads.lists) {
    if (scope.lists.has(ref.name)) continue
    undeclared = true
    errorAt(ref.start, `lists.${ref.name} is not declared under lists:${meant(suggestDeclared('lists', ref.name, scope.lists))} (declared: ${declaredList(scope.lists)})`)
  }
  if (undeclared) return undefined

  const checked = parsed.check()
  if (!checked.valid) {
    // `in ("NG")` and `True` parse, but are not what they are in SQL or Python
    if (reportForeignSyntax(text, errorAt)) return undefined
    const { start, message } = celErrorParts(checked.error)
    return errorAt(start, `type error: ${message}${didYouMean(suggestionsFor(checked.error, scope.env))}`)
  }
  if (checked.type !== 'bool') {
    return errorAt(0, `the condition must be a bool, but it is ${checked.type ?? 'unknown'}`)
  }
  if (!compilePatterns(parsed.ast, scope.patterns, errorAt)) return undefined
  return { condition: parsed, ast: parsed.ast, js: compileToJs(parsed.ast, scope.names, scope.shared), reads }
}
