import type { Environment } from '@marcbachmann/cel-js'
import type { Scalar } from 'yaml'
import { findConditionReads } from './cel-reads.js'
import type { ConditionReads } from './cel-reads.js'
import { compileToJs } from './compiled/compile-js.js'
import type { JsCompileResult } from './compiled/compile-js.js'
import type { SharedCode } from './compiled/codegen.js'
import type { NameWhitelist } from './compiled/message-types.js'
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
  env: Environment
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
    return { start, message }
  }
  return { start: undefined, message: String(error) }
}

function declaredList (names: ReadonlySet<string>): string {
  return names.size === 0 ? 'none' : [...names].join(', ')
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
    const { start, message } = celErrorParts(error)
    return errorAt(start, `syntax error: ${message}`)
  }

  const reads = findConditionReads(parsed.ast)
  let undeclared = false
  for (const ref of reads.velocity) {
    if (scope.velocity.has(ref.name)) continue
    undeclared = true
    errorAt(ref.start, `velocity.${ref.name} is not declared under velocity: (declared: ${declaredList(scope.velocity)})`)
  }
  for (const ref of reads.lists) {
    if (scope.lists.has(ref.name)) continue
    undeclared = true
    errorAt(ref.start, `lists.${ref.name} is not declared under lists: (declared: ${declaredList(scope.lists)})`)
  }
  if (undeclared) return undefined

  const checked = parsed.check()
  if (!checked.valid) {
    const { start, message } = celErrorParts(checked.error)
    return errorAt(start, `type error: ${message}`)
  }
  if (checked.type !== 'bool') {
    return errorAt(0, `the condition must be a bool, but it is ${checked.type ?? 'unknown'}`)
  }
  return { condition: parsed, ast: parsed.ast, js: compileToJs(parsed.ast, scope.names, scope.shared), reads }
}
