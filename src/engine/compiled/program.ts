import type { Generated } from './codegen.js'
import { runtime } from './runtime.js'

/** A feature path a rule requires, as the rule set lists it (src/engine/ruleset.ts FeatureRead). */
export interface RequiredPath {
  readonly path: string
  readonly segments: readonly string[]
}

/** What the program says about one rule; any other value is the condition's value. */
export const Outcome = {
  /** an input the rule requires is unknown: not evaluated */
  SKIPPED: Object.freeze({ outcome: 'skipped' }),
  /** the compiled condition threw: the interpreter decides (value or error) */
  THREW: Object.freeze({ outcome: 'threw' }),
  /** the condition is not compiled: the interpreter evaluates it */
  INTERPRET: Object.freeze({ outcome: 'interpret' })
} as const

/**
 * The requirements of a list of rules: every distinct required path once, and per rule the indexes
 * of its paths, so a charge reads each path once however many rules read it.
 */
export interface RequirementPlan {
  readonly paths: readonly RequiredPath[]
  readonly byRule: ReadonlyArray<readonly number[]>
}

export function planRequirements (rules: ReadonlyArray<{ readonly requires: readonly RequiredPath[] }>): RequirementPlan {
  const index = new Map<string, number>()
  const paths: RequiredPath[] = []
  const byRule = rules.map((rule) => rule.requires.map((read) => {
    let at = index.get(read.path)
    if (at === undefined) {
      at = paths.push(read) - 1
      index.set(read.path, at)
    }
    return at
  }))
  return { paths, byRule }
}

/**
 * Fills `out[r]` for every rule r: an Outcome, or the value of its compiled condition. `known[i]`
 * says whether required path i of the plan is known for this charge.
 */
export type ProgramRun = (features: unknown, known: readonly boolean[], out: unknown[]) => void

/** rules per generated function: small enough for V8 to optimize each one */
const CHUNK = 32

type Factory = (rt: typeof runtime, constants: ReadonlyArray<readonly unknown[]>, skipped: unknown, threw: unknown, interpret: unknown) => ProgramRun

/**
 * One program for a whole rule set: the compiled conditions of consecutive rules inlined into a few
 * functions, each guarded by its rule's required-input check and its own try/catch. One call per
 * charge replaces one call per rule (a call site that sees hundreds of different functions cannot be
 * optimized). The source is assembled from the generator's output (whitelisted names, escaped
 * literals) and numbers only. Returns undefined if it cannot be built (the caller falls back to
 * the per-rule functions).
 */
export function createProgram (plan: RequirementPlan, generated: ReadonlyArray<Generated | undefined>): ProgramRun | undefined {
  const chunks: ProgramRun[] = []
  try {
    for (let from = 0; from < generated.length; from += CHUNK) {
      const lines: string[] = []
      const memos = new Set<string>()
      const constants: Array<readonly unknown[]> = []
      for (let r = from; r < Math.min(from + CHUNK, generated.length); r++) {
        const requires = plan.byRule[r] ?? []
        const guard = requires.length === 0 ? 'true' : requires.map((at) => `known[${Number(at)}]`).join(' && ')
        const rule = generated[r]
        if (rule === undefined) {
          lines.push(`out[${r}] = ${guard} ? I : S`)
          continue
        }
        constants.push(Object.freeze([...rule.constants]))
        for (const memo of rule.memos) memos.add(memo)
        const lets = rule.locals.length > 0 ? `let ${rule.locals.join(', ')}; ` : ''
        lines.push(`if (${guard}) { const k = K[${constants.length - 1}]; ${lets}try { out[${r}] = ${rule.expression} } catch { out[${r}] = T } } else out[${r}] = S`)
      }
      const lets = memos.size > 0 ? `let ${[...memos].join(', ')}\n` : ''
      // eslint-disable-next-line no-new-func -- assembled from generated conditions and numbers only (see codegen.ts)
      const factory = new Function('$', 'K', 'S', 'T', 'I', `'use strict'\nreturn function rules${from} (f, known, out) {\n${lets}${lines.join('\n')}\n}`) as Factory
      chunks.push(factory(runtime, Object.freeze(constants), Outcome.SKIPPED, Outcome.THREW, Outcome.INTERPRET))
    }
  } catch {
    return undefined
  }
  if (chunks.length === 1) return chunks[0]
  return (features, known, out) => {
    for (let i = 0; i < chunks.length; i++) (chunks[i] as ProgramRun)(features, known, out)
  }
}
