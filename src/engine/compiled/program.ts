import type { Generated } from './codegen.js'
import { runtime } from './runtime.js'

/** A feature path a rule requires or shows, as the rule set lists it (src/engine/ruleset.ts FeatureRead). */
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
 * The feature paths of a list of rules: every distinct path a rule requires or shows in a reason,
 * once, and per rule the indexes of the paths it requires and of those it shows, so a charge reads
 * each path once however many rules read or show it.
 */
export interface RequirementPlan {
  readonly paths: readonly RequiredPath[]
  /** per rule, the paths that must be known for it to be evaluated */
  readonly byRule: ReadonlyArray<readonly number[]>
  /** per rule, the paths its reason shows, each once, in the order of the rule's `shows` */
  readonly showsByRule: ReadonlyArray<readonly number[]>
}

interface PlannedRule {
  readonly requires: readonly RequiredPath[]
  /** absent in rules built by hand: they show what they require */
  readonly shows?: readonly RequiredPath[]
}

export function planRequirements (rules: readonly PlannedRule[]): RequirementPlan {
  const index = new Map<string, number>()
  const paths: RequiredPath[] = []
  const at = (read: RequiredPath): number => {
    let i = index.get(read.path)
    if (i === undefined) {
      i = paths.push(read) - 1
      index.set(read.path, i)
    }
    return i
  }
  const byRule = rules.map((rule) => rule.requires.map(at))
  const showsByRule = rules.map((rule) => [...new Set((rule.shows ?? rule.requires).map(at))])
  return { paths, byRule, showsByRule }
}

/** The value at a feature path, or undefined when any segment is absent (null counts as absent). */
export function readPath (features: unknown, segments: readonly string[]): unknown {
  let node = features
  for (let i = 0; i < segments.length; i++) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[segments[i] as string]
  }
  return node === null ? undefined : node
}

/** Fills `values[i]` with the value of path i of the plan for these Features (see readPath). */
export type PathReader = (features: unknown, values: unknown[]) => void

/**
 * Fills `out[r]` for every rule r: an Outcome, or the value of its compiled condition. `values[i]`
 * is the value of path i of the plan (undefined: unknown for this charge), as a PathReader gives it.
 */
export type ProgramRun = (features: unknown, values: readonly unknown[], out: unknown[]) => void

/**
 * The values object of the reason of rule r, from the shown values of the plan's paths (`shown[i]`,
 * see evaluate.ts): an object literal per rule, its keys the rule's shown paths in order.
 */
export type ReasonValuesBuilder = (shown: readonly unknown[]) => Record<string, unknown>

/** rules per generated function: small enough for V8 to optimize each one */
const CHUNK = 32

/** identifiers the program may write as property names: the whitelist decides, this is a second lock */
const NAME = /^[a-z][a-z0-9_]*$/

type Factory = (rt: typeof runtime, constants: ReadonlyArray<readonly unknown[]>, skipped: unknown, threw: unknown, interpret: unknown) => ProgramRun

/**
 * One function that reads every path of the plan: each prefix (`ip`, `card`...) once, each field by
 * name when the name is whitelisted (a field of the feature catalog), else by a key passed as a
 * value (`P[i]`), never written into the source. The same values as readPath.
 */
export function createPathReader (paths: readonly RequiredPath[], names: ReadonlySet<string>): PathReader {
  const keys: string[] = []
  const access = (segment: string): string => {
    if (NAME.test(segment) && names.has(segment)) return `.${segment}`
    let at = keys.indexOf(segment)
    if (at < 0) at = keys.push(segment) - 1
    return `[P[${at}]]`
  }
  const lines: string[] = []
  /** prefix (segments joined) -> the local holding its object, or undefined when it is not one */
  const objects = new Map<string, string>()
  const objectOf = (segments: readonly string[]): string => {
    if (segments.length === 0) return 'f'
    const key = JSON.stringify(segments)
    let local = objects.get(key)
    if (local === undefined) {
      const parent = objectOf(segments.slice(0, -1))
      local = `o${objects.size}`
      objects.set(key, local)
      const read = parent === 'f' ? `f${access(segments[segments.length - 1] as string)}` : `${parent}${access(segments[segments.length - 1] as string)}`
      const guard = parent === 'f' ? '' : `${parent} === undefined ? undefined : `
      lines.push(`const ${local} = ${guard}typeof (t = ${read}) === 'object' && t !== null ? t : undefined`)
    }
    return local
  }
  paths.forEach((read, i) => {
    const parent = objectOf(read.segments.slice(0, -1))
    const last = access(read.segments[read.segments.length - 1] as string)
    const guard = parent === 'f' ? '' : `${parent} === undefined || `
    lines.push(`v[${i}] = ${guard}(t = ${parent}${last}) === null ? undefined : t`)
  })
  // eslint-disable-next-line no-new-func -- whitelisted names, generated locals and numbers only
  const factory = new Function('P', `'use strict'\nreturn function readPaths (f, v) {\nlet t\n${lines.join('\n')}\n}`) as
    (keys: readonly string[]) => PathReader
  return factory(Object.freeze(keys))
}

/**
 * Per rule, the builder of its reason's values: an object literal whose keys are the rule's shown
 * paths (escaped with JSON.stringify, as string literals of conditions are), each the shown value
 * of its path.
 */
export function createReasonValues (plan: RequirementPlan): ReasonValuesBuilder[] {
  const builders = plan.showsByRule.map((shows) => {
    const entries = shows.map((at) => `${JSON.stringify((plan.paths[at] as RequiredPath).path)}: s[${Number(at)}]`)
    return `(s) => ({ ${entries.join(', ')} })`
  })
  // a key `__proto__` in an object literal would set the prototype: no path is one (a path names its root)
  if (plan.paths.some((read) => read.path === '__proto__')) throw new Error('a feature path named __proto__')
  // eslint-disable-next-line no-new-func -- escaped literals and numbers only
  return new Function(`'use strict'\nreturn [\n${builders.join(',\n')}\n]`)() as ReasonValuesBuilder[]
}

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
        const guard = requires.length === 0 ? 'true' : requires.map((at) => `v[${Number(at)}] !== undefined`).join(' && ')
        const rule = generated[r]
        if (rule === undefined) {
          lines.push(`out[${r}] = ${guard} ? I : S`)
          continue
        }
        const constant = rule.constants.length > 0 ? `const k = K[${constants.push(Object.freeze([...rule.constants])) - 1}]; ` : ''
        for (const memo of rule.memos) memos.add(memo)
        const lets = rule.locals.length > 0 ? `let ${rule.locals.join(', ')}; ` : ''
        lines.push(`if (${guard}) { ${constant}${lets}try { out[${r}] = ${rule.expression} } catch { out[${r}] = T } } else out[${r}] = S`)
      }
      const lets = memos.size > 0 ? `let ${[...memos].join(', ')}\n` : ''
      // eslint-disable-next-line no-new-func -- assembled from generated conditions and numbers only (see codegen.ts)
      const factory = new Function('$', 'K', 'S', 'T', 'I', `'use strict'\nreturn function rules${from} (f, v, out) {\n${lets}${lines.join('\n')}\n}`) as Factory
      chunks.push(factory(runtime, Object.freeze(constants), Outcome.SKIPPED, Outcome.THREW, Outcome.INTERPRET))
    }
  } catch {
    return undefined
  }
  if (chunks.length === 1) return chunks[0]
  return (features, values, out) => {
    for (let i = 0; i < chunks.length; i++) (chunks[i] as ProgramRun)(features, values, out)
  }
}
