import { RE2JS } from 're2js'

/**
 * The regular expressions of `matches()`: RE2 syntax on a linear-time engine, as the CEL
 * specification defines them (DESIGN.md "Rule files"). Matching takes time proportional to the
 * length of the input, whatever the pattern and the input; the cost per character grows with the
 * size of the pattern's compiled program, which is bounded here.
 */

/**
 * The largest compiled program a pattern may have (RE2's "program size", about one instruction per
 * character or class, each repetition counted out: `a{100}` is 100). RE2 refuses programs over its
 * memory budget in the same way; this bound is lower, so that the per-character cost of a match stays
 * small: every realistic pattern is far below it (`^[0-9]{6,19}$` is 36, an alternation of 150
 * keywords about 50), while `(.*a){1000}` (5,002) is refused.
 */
export const MAX_PATTERN_SIZE = 1_000

/** A pattern RE2 refuses, or one over MAX_PATTERN_SIZE: `message` says why. */
export class PatternError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PatternError'
  }
}

/** A compiled pattern: `test` is CEL's `matches` (an unanchored search, as `RegExp.test`). */
export interface Re2Pattern {
  test: (text: string) => boolean
}

function syntaxMessage (error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^error parsing regexp: /, '')
}

/** Compiles a pattern as `matches()` runs it: RE2 syntax, no flags (inline flags such as `(?i)` work). */
export function compilePattern (pattern: string): Re2Pattern {
  let compiled: RE2JS
  try {
    compiled = RE2JS.compile(pattern)
  } catch (error) {
    throw new PatternError(`not an RE2 pattern: ${syntaxMessage(error)}`)
  }
  const size = compiled.programSize()
  if (size > MAX_PATTERN_SIZE) {
    throw new PatternError(`the pattern compiles to ${size} instructions, more than ${MAX_PATTERN_SIZE}: shorten its repetitions`)
  }
  return compiled
}

/**
 * The patterns of one rule set, each compiled once when the set is compiled. Conditions match
 * through it both when compiled to JavaScript and when interpreted, with the same compiled pattern:
 * nothing is compiled while a charge is scored.
 */
export interface PatternSet {
  /** compiles `pattern` (once; the same object on every call), or throws a PatternError */
  add: (pattern: string) => Re2Pattern
  /** the pattern compiled by add(), if it was */
  get: (pattern: string) => Re2Pattern | undefined
}

export function createPatternSet (): PatternSet {
  const compiled = new Map<string, Re2Pattern>()
  return {
    add (pattern) {
      let found = compiled.get(pattern)
      if (found === undefined) {
        found = compilePattern(pattern)
        compiled.set(pattern, found)
      }
      return found
    },
    get: (pattern) => compiled.get(pattern)
  }
}
