import { ActionFlag } from '../decide.js'
import { RuleMode } from '../ruleset.js'
import type { RuleAction } from '../ruleset.js'
import type { Generated, SharedCode } from './codegen.js'
import { runtime } from './runtime.js'

/** A feature path a rule requires or shows, as the rule set lists it (src/engine/ruleset.ts FeatureRead). */
export interface RequiredPath {
  readonly path: string
  readonly segments: readonly string[]
}

/** What a rule's compiled code hands to the engine instead of a value (see ProgramSink.other). */
export const Outcome = {
  /** the compiled condition threw: the interpreter decides (value or error) */
  THREW: Object.freeze({ outcome: 'threw' }),
  /** the condition is not compiled: the interpreter evaluates it */
  INTERPRET: Object.freeze({ outcome: 'interpret' })
} as const

/** A feature value a reason does not show (not a string, a bool, a finite number or absent). */
export const HIDDEN: unknown = Object.freeze({ shown: false })

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

/**
 * Reads one charge's Features for the program: fills `values[i]` with the value of path i of the
 * plan (see readPath) and returns the roots the compiled conditions read (`amount`, `ip`...), as an
 * object of one fixed shape, each root's value as the Features hold it, a group of fields as an
 * object, empty when the Features hold anything else (see Generated).
 */
export type FeatureReader = (features: object, values: unknown[]) => Readonly<Record<string, unknown>>

/**
 * Where a program writes one charge's evaluation (src/engine/evaluate.ts), rule by rule and in rule
 * order: a rule that fires adds its score and action to the sums and its reason to the lists (live
 * or shadow), a rule skipped for an unknown input is listed with the unknown paths; for anything
 * else (a condition that threw or is not compiled, a value that is not a bool) the program calls
 * `other`, which asks the interpreter.
 */
export interface ProgramSink {
  liveScore: number
  allScore: number
  liveActions: number
  allActions: number
  readonly reasons: unknown[]
  readonly shadowReasons: unknown[]
  readonly skipped: unknown[]
  /** lists a skipped rule with its unknown required paths (when the program does not list them itself) */
  skip: (rule: number) => void
  other: (rule: number, result: unknown) => void
  /** the values of the rule's reason when one of its shown values is HIDDEN */
  values: (rule: number) => Record<string, unknown>
}

/** What a program writes of a rule into an evaluation (src/engine/ruleset.ts CompiledRule). */
export interface ProgramRule {
  readonly id: string
  readonly description: string
  readonly score: number | null
  readonly action: RuleAction | null
  readonly mode: RuleMode
}

/**
 * Runs every rule of the set on one charge. `roots` are the roots of the Features its conditions
 * read, as a FeatureReader gives them; `values[i]` is the value of path i of the plan (undefined:
 * unknown for this charge); `shown[i]` the same as a reason shows it, or HIDDEN.
 */
export type ProgramRun = (roots: Readonly<Record<string, unknown>>, values: readonly unknown[], shown: readonly unknown[], sink: ProgramSink) => void

/** rules per generated function: small enough for V8 to optimize each one */
const CHUNK = 32

/** identifiers the program may write as property names: the whitelist decides, this is a second lock */
const NAME = /^[a-z][a-z0-9_]*$/

type Chunk = (roots: Readonly<Record<string, unknown>>, values: readonly unknown[], shown: readonly unknown[], sink: ProgramSink, slots: unknown[]) => void
type Factory = (rt: typeof runtime, constants: readonly unknown[], texts: readonly string[], threw: unknown, interpret: unknown, hidden: unknown) => Chunk

/** a root the for-in loop of a reader did not see (not an own or inherited enumerable property) */
const UNSEEN: unknown = Object.freeze({ unseen: true })

/**
 * The value of `features[key]` when a for-in loop over the Features did not list `key`: undefined
 * when it is neither an own property nor one of a plain object's prototype, else the property read.
 */
function unseen (features: object, key: string): unknown {
  const proto: unknown = Object.getPrototypeOf(features)
  if ((proto === Object.prototype || proto === null) && !Object.hasOwn(features, key) && !(key in Object.prototype)) return undefined
  return (features as Record<string, unknown>)[key]
}

const READER_RUNTIME = { unseen, readPath } as const

/**
 * One function that reads a charge's Features: each root the program needs once, then every path
 * of the plan from them. The roots are taken in one for-in loop over the Features, not by name:
 * a read by name of an object whose hidden class the engine has not seen before (Features built
 * with a spread, say) costs a lookup in the runtime, per root; a for-in loop reads the values in
 * place. A root the loop does not list is read exactly as a read by name would (see unseen()).
 * Fields of the roots (`ip.country`) are read by name when the name is whitelisted (a field of the
 * feature catalog), else by a key passed as a value (`P[i]`), never written into the source.
 * The same values as readPath.
 */
export function createFeatureReader (
  roots: readonly string[], groups: ReadonlySet<string>, paths: readonly RequiredPath[], names: ReadonlySet<string>, onSource?: (source: string) => void
): FeatureReader {
  const keys: unknown[] = []
  const constant = (value: unknown): string => {
    let at = keys.indexOf(value)
    if (at < 0) at = keys.push(value) - 1
    return `P[${at}]`
  }
  const access = (segment: string): string => NAME.test(segment) && names.has(segment) ? `.${segment}` : `[${constant(segment)}]`
  const rootLocals = new Map<string, string>()
  for (const root of roots) if (NAME.test(root) && names.has(root) && !rootLocals.has(root)) rootLocals.set(root, `a${rootLocals.size}`)

  const lines: string[] = []
  const all = [...rootLocals]
  if (all.length > 0) {
    lines.push(`let ${all.map(([, local]) => `${local} = U`).join(', ')}`)
    // each root's value read in its case: a property that is no root is never read (a getter stays uncalled)
    lines.push(`for (const key in f) {\nswitch (key) {\n${all.map(([root, local]) => `case ${JSON.stringify(root)}: ${local} = f[key]; break`).join('\n')}\n}\n}`)
    for (const [root, local] of all) lines.push(`if (${local} === U) ${local} = $.unseen(f, ${JSON.stringify(root)})`)
  }
  /** prefix (segments, as JSON) -> the local holding its object, or undefined when it is not one */
  const objects = new Map<string, string>()
  const objectOf = (segments: readonly string[]): string => {
    const key = JSON.stringify(segments)
    let local = objects.get(key)
    if (local === undefined) {
      local = `o${objects.size}`
      objects.set(key, local)
      const root = rootLocals.get(segments[0] as string)
      let read: string
      if (segments.length === 1 && root !== undefined) read = root
      else if (segments.length === 1) read = `f${access(segments[0] as string)}`
      else {
        const parent = objectOf(segments.slice(0, -1))
        read = `${parent} === undefined ? undefined : ${parent}${access(segments[segments.length - 1] as string)}`
      }
      lines.push(`const ${local} = typeof (t = ${read}) === "object" && t !== null ? t : undefined`)
    }
    return local
  }
  paths.forEach((read, i) => {
    const root = rootLocals.get(read.segments[0] as string)
    if (read.segments.length === 1 && root !== undefined) {
      lines.push(`v[${i}] = ${root} === null ? undefined : ${root}`)
    } else if (read.segments.length === 1 || root === undefined) {
      // not a root of the program: read as readPath reads
      lines.push(`v[${i}] = $.readPath(f, ${constant(read.segments)})`)
    } else {
      const parent = objectOf(read.segments.slice(0, -1))
      lines.push(`v[${i}] = ${parent} === undefined || (t = ${parent}${access(read.segments[read.segments.length - 1] as string)}) === null ? undefined : t`)
    }
  })
  // a group of fields: its object, or an empty one (see Generated)
  const value = (root: string, local: string): string => groups.has(root) ? `typeof ${local} === "object" && ${local} !== null ? ${local} : E` : local
  lines.push(`return { ${all.map(([root, local]) => `${root}: ${value(root, local)}`).join(', ')} }`)
  const source = `'use strict'\nreturn function readFeatures (f, v) {\nlet t\n${lines.join('\n')}\n}`
  onSource?.(source)
  // eslint-disable-next-line no-new-func -- whitelisted names, generated locals and numbers only
  const factory = new Function('$', 'P', 'U', 'E', source) as
    (rt: typeof READER_RUNTIME, keys: readonly unknown[], unseen: unknown, empty: unknown) => FeatureReader
  return factory(READER_RUNTIME, Object.freeze(keys), UNSEEN, runtime.rec(undefined))
}

/**
 * The values of a rule's reason as an object literal: its shown paths (escaped with JSON.stringify,
 * as string literals of conditions are) in order, each its shown value; the sink's when one is HIDDEN.
 */
function reasonValues (plan: RequirementPlan, r: number): string {
  const shows = plan.showsByRule[r] ?? []
  const hidden = shows.map((at) => `s[${Number(at)}] === H`).join(' || ')
  const entries = shows.map((at) => `${JSON.stringify((plan.paths[at] as RequiredPath).path)}: s[${Number(at)}]`)
  return shows.length === 0 ? '{}' : `${hidden} ? e.values(${r}) : { ${entries.join(', ')} }`
}

const FLAGS: Readonly<Record<RuleAction, number>> = { allow: ActionFlag.ALLOW, block: ActionFlag.BLOCK, review: ActionFlag.REVIEW }

/**
 * What the program does when rule r fires, written out: the sums, then its reason, as the engine
 * does for a rule the interpreter fires (src/engine/evaluate.ts); its id and description are values
 * (`D[i]`), its score and action numbers and fixed words.
 */
function fired (plan: RequirementPlan, rule: ProgramRule, r: number, text: (value: string) => string): string {
  const points = rule.score ?? 0
  const flag = rule.action === null ? 0 : FLAGS[rule.action]
  const sums: string[] = []
  if (points !== 0) sums.push(`e.allScore += ${Number(points)}`)
  if (flag !== 0) sums.push(`e.allActions |= ${Number(flag)}`)
  if (rule.mode === RuleMode.LIVE) {
    if (points !== 0) sums.push(`e.liveScore += ${Number(points)}`)
    if (flag !== 0) sums.push(`e.liveActions |= ${Number(flag)}`)
  }
  const action = rule.action === null ? 'null' : JSON.stringify(rule.action)
  const score = rule.score === null ? 'null' : String(Number(rule.score))
  const reason = `{ rule: ${text(rule.id)}, description: ${text(rule.description)}, score: ${score}, action: ${action}, values: ${reasonValues(plan, r)} }`
  return `{ ${[...sums, `e.${rule.mode === RuleMode.LIVE ? 'reasons' : 'shadowReasons'}.push(${reason})`].join('; ')} }`
}

/**
 * What the program does when rule r is skipped, written out: its unknown required paths, chosen by
 * which of them is unknown (up to 3 of them; more are the sink's to list). The paths are string
 * literals (escaped, as in reasons' values): an array literal of constants shares its elements
 * until it is written to.
 */
function skipped (plan: RequirementPlan, rule: ProgramRule, r: number, text: (value: string) => string): string {
  const requires = plan.byRule[r] ?? []
  if (requires.length === 0 || requires.length > 3) return `e.skip(${r})`
  const unknown = (rest: readonly number[], chosen: readonly string[]): string => {
    if (rest.length === 0) return `[${chosen.join(', ')}]`
    const [at, ...others] = rest as [number, ...number[]]
    const path = JSON.stringify((plan.paths[at] as RequiredPath).path)
    return `(v[${Number(at)}] === undefined ? ${unknown(others, [...chosen, path])} : ${unknown(others, chosen)})`
  }
  return `e.skipped.push({ rule: ${text(rule.id)}, unknown: ${unknown(requires, [])} })`
}

/**
 * One program for a whole rule set: the compiled conditions of consecutive rules inlined into a few
 * functions, each guarded by its rule's required-input check and its own try/catch, each writing
 * what its rule gives into the sink (a rule that does not fire costs nothing more). One call per
 * charge replaces one call per rule (a call site that sees hundreds of different functions cannot be
 * optimized). The source is assembled from the generator's output (whitelisted names, escaped
 * literals), the rules' shown paths (escaped), fixed words and numbers only; the rules' ids,
 * descriptions and paths in reasons are values (`D[i]`). Returns undefined if it cannot be built
 * (the caller falls back to the per-rule functions).
 */
export function createProgram (
  plan: RequirementPlan, rules: readonly ProgramRule[], generated: ReadonlyArray<Generated | undefined>, shared: SharedCode,
  onSource?: (source: string) => void
): ProgramRun | undefined {
  // a key `__proto__` in an object literal would set the prototype: no path is one (a path names its root)
  if (plan.paths.some((read) => read.path === '__proto__')) return undefined
  const chunks: Chunk[] = []
  const constants = Object.freeze([...shared.constants])
  const texts: string[] = []
  const textIndex = new Map<string, number>()
  const text = (value: string): string => {
    let at = textIndex.get(value)
    if (at === undefined) {
      at = texts.push(value) - 1
      textIndex.set(value, at)
    }
    return `D[${at}]`
  }
  try {
    for (let from = 0; from < generated.length; from += CHUNK) {
      const lines: string[] = []
      const memos = new Set<string>()
      for (let r = from; r < Math.min(from + CHUNK, generated.length); r++) {
        const requires = plan.byRule[r] ?? []
        const guard = requires.length === 0 ? 'true' : requires.map((at) => `v[${Number(at)}] !== undefined`).join(' && ')
        const rule = rules[r] as ProgramRule
        const condition = generated[r]
        if (condition === undefined) {
          lines.push(`if (${guard}) e.other(${r}, I); else ${skipped(plan, rule, r, text)}`)
          continue
        }
        for (const memo of condition.memos) memos.add(memo)
        const lets = condition.locals.length > 0 ? `let ${condition.locals.join(', ')}; ` : ''
        lines.push(`if (${guard}) { ${lets}try { x = ${condition.expression} } catch { x = T } ` +
          `if (x === true) ${fired(plan, rule, r, text)} else if (x !== false) e.other(${r}, x) } else ${skipped(plan, rule, r, text)}`)
      }
      const lets = `let x, t${[...memos].map((memo) => `, ${memo}`).join('')}\n`
      const source = `'use strict'\nreturn function rules${from} (f, v, s, e, M) {\n${lets}${lines.join('\n')}\n}`
      onSource?.(source)
      // eslint-disable-next-line no-new-func -- assembled from generated conditions, escaped paths, fixed words and numbers only (see codegen.ts)
      const factory = new Function('$', 'k', 'D', 'T', 'I', 'H', source) as Factory
      chunks.push(factory(runtime, constants, texts, Outcome.THREW, Outcome.INTERPRET, HIDDEN))
    }
  } catch {
    return undefined
  }
  Object.freeze(texts)
  // the slots of one evaluation (see SharedCode), for all the chunks
  const size = shared.slots.size
  return (roots, values, shown, sink) => {
    const slots: unknown[] = new Array(size)
    for (let i = 0; i < chunks.length; i++) (chunks[i] as Chunk)(roots, values, shown, sink, slots)
  }
}
