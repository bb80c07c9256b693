import type { ASTNode } from '@marcbachmann/cel-js'

/**
 * The parts of cel-js's parsed and type-checked AST the compiler reads. cel-js attaches them to
 * its nodes without declaring them in its typings: the checked type of each node, and the expansion
 * of macros (`alternate` for comprehensions, `macro` for has() and cel.bind()).
 */
export interface CelType {
  readonly kind: string
  readonly name: string
  readonly keyType?: CelType
  readonly valueType?: CelType
  readonly hasDynType: boolean
  readonly hasPlaceholderType: boolean
}

export interface CheckedNode {
  readonly op: ASTNode['op']
  readonly args: unknown
  readonly checkedType?: CelType
  readonly meta?: { readonly alternate?: { readonly op: string }, readonly macro?: unknown }
}

export function asChecked (node: unknown): CheckedNode {
  return node as CheckedNode
}

/**
 * A compiled condition, a function of the Features: the same answer as the interpreter gives on
 * the CEL context of those Features, or it throws (then the interpreter decides).
 */
export type CompiledCondition = (features: unknown) => unknown
