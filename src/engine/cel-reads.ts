import type { ASTNode } from '@marcbachmann/cel-js'
import { ROOTS } from './feature-catalog.js'

/** A reference to `velocity.<name>` or `lists.<name>` in a condition, for declared-name checks. */
export interface NamedRef {
  name: string
  /** offset of the name in the CEL source */
  start: number
  end: number
}

/** What a condition reads, found once from its AST at compile. */
export interface ConditionReads {
  /** feature paths read outside `has()`, in order of first appearance, deduplicated */
  paths: string[]
  /** feature paths tested with `has()`: exempt from the unknown-input check */
  hasPaths: string[]
  /** root variables the condition touches (only those are converted at evaluation) */
  roots: Set<string>
  velocity: NamedRef[]
  lists: NamedRef[]
}

const ROOT_SET: ReadonlySet<string> = new Set(ROOTS)
/** receiver macros whose first argument names an iteration variable */
const ITERATION_MACROS: ReadonlySet<string> = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

interface PathMatch {
  root: string
  segments: string[]
  /** offset of each segment after the root, for NamedRef positions */
  starts: number[]
  ends: number[]
}

/**
 * `ip.country`, `metadata["campaign"]`, `velocity.charges_per_ip_1h`: a chain of field selections
 * (or string-literal indexes) on a root variable that no macro has shadowed.
 */
function matchPath (node: ASTNode, bound: ReadonlySet<string>): PathMatch | undefined {
  const segments: string[] = []
  const starts: number[] = []
  const ends: number[] = []
  let current: ASTNode = node
  for (;;) {
    if (current.op === '.') {
      const [object, field] = current.args
      segments.push(field)
      // the field name ends where the selection ends
      ends.push(current.end)
      starts.push(current.end - field.length)
      current = object
    } else if (current.op === '[]') {
      const [object, index] = current.args
      if (index.op !== 'value' || typeof index.args !== 'string') return undefined
      segments.push(index.args)
      starts.push(index.start)
      ends.push(index.end)
      current = object
    } else if (current.op === 'id') {
      if (!ROOT_SET.has(current.args) || bound.has(current.args)) return undefined
      return { root: current.args, segments: segments.reverse(), starts: starts.reverse(), ends: ends.reverse() }
    } else {
      return undefined
    }
  }
}

/** Finds the feature paths, `has()` paths and velocity/list references of a parsed condition. */
export function findConditionReads (ast: ASTNode): ConditionReads {
  const paths = new Set<string>()
  const hasPaths = new Set<string>()
  const roots = new Set<string>()
  const velocity: NamedRef[] = []
  const lists: NamedRef[] = []

  function record (match: PathMatch, target: Set<string>): void {
    roots.add(match.root)
    const first = match.segments[0]
    if (first !== undefined && (match.root === 'velocity' || match.root === 'lists')) {
      const ref = { name: first, start: match.starts[0] as number, end: match.ends[0] as number }
      if (match.root === 'velocity') velocity.push(ref)
      else lists.push(ref)
    }
    // lists are part of the rule set: always known, never an input of the charge
    if (match.root === 'lists') return
    target.add([match.root, ...match.segments].join('.'))
  }

  function walk (node: ASTNode, bound: ReadonlySet<string>): void {
    switch (node.op) {
      case 'value':
        return
      case 'id':
      case '.':
      case '[]': {
        const match = matchPath(node, bound)
        if (match !== undefined) return record(match, paths)
        if (node.op === '.') return walk(node.args[0], bound)
        if (node.op === '[]') {
          walk(node.args[0], bound)
          return walk(node.args[1], bound)
        }
        return
      }
      case 'call': {
        const [name, args] = node.args
        if (name === 'has' && args.length === 1) {
          const match = matchPath(args[0] as ASTNode, bound)
          if (match !== undefined) return record(match, hasPaths)
        }
        for (const arg of args) walk(arg, bound)
        return
      }
      case 'rcall': {
        const [name, receiver, args] = node.args
        const first = args[0]
        if (name === 'bind' && receiver.op === 'id' && receiver.args === 'cel' && first?.op === 'id' && args.length === 3) {
          walk(args[1] as ASTNode, bound)
          return walk(args[2] as ASTNode, new Set([...bound, first.args]))
        }
        walk(receiver, bound)
        if (ITERATION_MACROS.has(name) && first?.op === 'id') {
          const inner = new Set([...bound, first.args])
          for (const arg of args.slice(1)) walk(arg, inner)
          return
        }
        for (const arg of args) walk(arg, bound)
        return
      }
      case 'list':
        for (const element of node.args) walk(element, bound)
        return
      case 'map':
        for (const [key, value] of node.args) {
          walk(key, bound)
          walk(value, bound)
        }
        return
      case '!_':
      case '-_':
        return walk(node.args, bound)
      case '.?':
        return walk(node.args[0], bound)
      default:
        for (const arg of node.args) walk(arg, bound)
    }
  }

  walk(ast, new Set())
  for (const path of hasPaths) paths.delete(path)
  return { paths: [...paths], hasPaths: [...hasPaths], roots, velocity, lists }
}
