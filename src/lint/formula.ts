import { serialize } from '@marcbachmann/cel-js'
import type { ASTNode } from '@marcbachmann/cel-js'
import { authorsText } from '../engine/cel-environment.js'
import { ROOTS } from '../engine/feature-catalog.js'

/**
 * A rule condition as propositional logic over atoms the lints can reason about: comparisons of
 * a feature path with a constant, list membership, and opaque sub-expressions (function calls,
 * macros, comparisons of two paths) known only by their canonical text.
 */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>='
export type Constant = string | number | boolean

export interface Span {
  /** offsets in the CEL source of the condition */
  start: number
  end: number
}

export type Atom =
  | { kind: 'compare', path: string, op: CompareOp, value: Constant, span: Span }
  | { kind: 'member', path: string, list: string, span: Span }
  | { kind: 'opaque', key: string, span: Span }

export type Formula =
  | { kind: 'const', value: boolean, span: Span }
  | { kind: 'and', parts: Formula[] }
  | { kind: 'or', parts: Formula[] }
  | { kind: 'not', part: Formula }
  | { kind: 'atom', atom: Atom }

const ROOT_SET: ReadonlySet<string> = new Set(ROOTS)
const COMPARE_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>='])
const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }

function spanOf (node: ASTNode): Span {
  return { start: node.start, end: node.end }
}

/** `ip.country`, `metadata["channel"]`, `velocity.x`: a field chain on a root variable. */
export function pathOf (node: ASTNode): string | undefined {
  const segments: string[] = []
  let current = node
  for (;;) {
    if (current.op === '.') {
      segments.push(current.args[1])
      current = current.args[0]
    } else if (current.op === '[]' && current.args[1].op === 'value' && typeof current.args[1].args === 'string') {
      segments.push(current.args[1].args)
      current = current.args[0]
    } else if (current.op === 'id') {
      if (!ROOT_SET.has(current.args) || current.args === 'lists') return undefined
      return [current.args, ...segments.reverse()].join('.')
    } else {
      return undefined
    }
  }
}

/** `lists.blocked_emails` -> `blocked_emails` */
function listOf (node: ASTNode): string | undefined {
  if (node.op !== '.' || node.args[0].op !== 'id' || node.args[0].args !== 'lists') return undefined
  return node.args[1]
}

/** A literal (negative numbers included), or undefined. CEL ints (bigint) become numbers. */
export function constantOf (node: ASTNode): Constant | undefined {
  if (node.op === 'value') {
    const v = node.args
    if (typeof v === 'bigint') return Number(v)
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
    return undefined
  }
  if (node.op === '-_') {
    const inner = constantOf(node.args)
    return typeof inner === 'number' ? -inner : undefined
  }
  return undefined
}

/** the key is the node's canonical text, as its author would write it (it shows in findings) */
function opaque (node: ASTNode): Formula {
  return { kind: 'atom', atom: { kind: 'opaque', key: authorsText(serialize(node)), span: spanOf(node) } }
}

function and (parts: Formula[]): Formula {
  return { kind: 'and', parts }
}

function or (parts: Formula[]): Formula {
  return { kind: 'or', parts }
}

/** `path op rhs`, where rhs is a constant or a ternary of constants (`cond ? 2000000 : 60000`). */
function compareWith (path: string, op: CompareOp, rhs: ASTNode, whole: ASTNode): Formula {
  const value = constantOf(rhs)
  if (value !== undefined) {
    if (typeof value === 'string' && op !== '==' && op !== '!=') return opaque(whole)
    return { kind: 'atom', atom: { kind: 'compare', path, op, value, span: spanOf(whole) } }
  }
  if (rhs.op === '?:') {
    const [condition, yes, no] = rhs.args
    const c = toFormula(condition)
    return or([and([c, compareWith(path, op, yes, whole)]), and([{ kind: 'not', part: c }, compareWith(path, op, no, whole)])])
  }
  return opaque(whole)
}

/** Converts a parsed condition; anything the lints cannot reason about becomes an opaque atom. */
export function toFormula (node: ASTNode): Formula {
  switch (node.op) {
    case 'value':
      return typeof node.args === 'boolean' ? { kind: 'const', value: node.args, span: spanOf(node) } : opaque(node)
    case '&&':
    case '||': {
      const parts = node.args.map(toFormula).flatMap((p) => (p.kind === (node.op === '&&' ? 'and' : 'or') ? (p as { parts: Formula[] }).parts : [p]))
      return node.op === '&&' ? and(parts) : or(parts)
    }
    case '!_':
      return { kind: 'not', part: toFormula(node.args) }
    case '?:': {
      const [condition, yes, no] = node.args
      const c = toFormula(condition)
      return or([and([c, toFormula(yes)]), and([{ kind: 'not', part: c }, toFormula(no)])])
    }
    case 'in': {
      const [left, right] = node.args
      const path = pathOf(left)
      if (path === undefined) return opaque(node)
      const list = listOf(right)
      if (list !== undefined) return { kind: 'atom', atom: { kind: 'member', path, list, span: spanOf(node) } }
      if (right.op === 'list') {
        const values = right.args.map(constantOf)
        if (values.some((v) => v === undefined)) return opaque(node)
        return or(values.map((value) => ({ kind: 'atom', atom: { kind: 'compare', path, op: '==', value: value as Constant, span: spanOf(node) } })))
      }
      return opaque(node)
    }
    case '.':
    case '[]': {
      const path = pathOf(node)
      // a bool path on its own: `ip.is_tor`
      if (path !== undefined) return { kind: 'atom', atom: { kind: 'compare', path, op: '==', value: true, span: spanOf(node) } }
      return opaque(node)
    }
    default:
      if (COMPARE_OPS.has(node.op)) {
        const [left, right] = node.args as [ASTNode, ASTNode]
        const op = node.op as CompareOp
        const leftPath = pathOf(left)
        if (leftPath !== undefined) return compareWith(leftPath, op, right, node)
        const rightPath = pathOf(right)
        if (rightPath !== undefined) return compareWith(rightPath, FLIPPED[op], left, node)
        const a = constantOf(left)
        const b = constantOf(right)
        if (a !== undefined && b !== undefined && typeof a === typeof b) return { kind: 'const', value: compareConstants(a, op, b), span: spanOf(node) }
      }
      return opaque(node)
  }
}

export function compareConstants (a: Constant, op: CompareOp, b: Constant): boolean {
  switch (op) {
    case '==': return a === b
    case '!=': return a !== b
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    case '>=': return a >= b
  }
}

/** Every atom of a formula, in source order of appearance. */
export function atomsOf (formula: Formula): Atom[] {
  switch (formula.kind) {
    case 'const': return []
    case 'atom': return [formula.atom]
    case 'not': return atomsOf(formula.part)
    default: return formula.parts.flatMap(atomsOf)
  }
}
