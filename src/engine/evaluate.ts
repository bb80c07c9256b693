import { buildCelContext } from './cel-context.js'
import { ActionFlag, clampScore, decide } from './decide.js'
import type { Features } from './features.js'
import { Outcome, planRequirements, readPath } from './compiled/program.js'
import type { ReasonValuesBuilder, RequiredPath, RequirementPlan } from './compiled/program.js'
import { RuleMode } from './ruleset.js'
import type { CompiledRule, CompiledRuleSet, Evaluation, Reason, RuleAction, SkippedRule } from './ruleset.js'

type ReasonValues = Reason['values']

/** long free text (descriptions) is cut in reasons: they explain a decision, they do not archive the charge */
export const MAX_SHOWN_STRING = 200

/** what a reason does not show: a value that is not a string, a bool, a finite number or absent */
const HIDDEN: unknown = Object.freeze({ shown: false })

/** a feature value as a reason shows it (absent: null), or HIDDEN */
function shownValue (value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'string') return value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}…` : value
  if (typeof value === 'boolean') return value
  if (typeof value === 'number' && Number.isFinite(value)) return value
  return HIDDEN
}

function actionFlag (action: RuleAction | null): number {
  switch (action) {
    case 'allow': return ActionFlag.ALLOW
    case 'block': return ActionFlag.BLOCK
    case 'review': return ActionFlag.REVIEW
    default: return 0
  }
}

/** the values of a reason, key by key: what the program's builders give when nothing is hidden */
function reasonValuesOf (shows: readonly number[], paths: readonly RequiredPath[], shown: readonly unknown[]): ReasonValues {
  const values: ReasonValues = {}
  for (let i = 0; i < shows.length; i++) {
    const at = shows[i] as number
    const value = shown[at]
    if (value !== HIDDEN) values[(paths[at] as RequiredPath).path] = value as ReasonValues[string]
  }
  return values
}

function anyHidden (shows: readonly number[], shown: readonly unknown[]): boolean {
  for (let i = 0; i < shows.length; i++) if (shown[shows[i] as number] === HIDDEN) return true
  return false
}

function describeError (error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { summary?: unknown, message?: unknown }
    if (typeof e.summary === 'string') return e.summary
    if (typeof e.message === 'string') return e.message
  }
  return 'the condition failed'
}

/** What evaluate() needs of a rules array, computed once per array: its plan of paths, its scores and actions. */
interface RuleTable {
  readonly plan: RequirementPlan
  readonly scores: readonly number[]
  readonly flags: readonly number[]
  readonly live: readonly boolean[]
}

const tables = new WeakMap<readonly CompiledRule[], RuleTable>()

function ruleTable (rules: readonly CompiledRule[], program: CompiledRuleSet['program']): RuleTable {
  let table = tables.get(rules)
  if (table === undefined) {
    table = {
      plan: program?.rules === rules ? program.plan : planRequirements(rules),
      scores: rules.map((rule) => rule.score ?? 0),
      flags: rules.map((rule) => actionFlag(rule.action)),
      live: rules.map((rule) => rule.mode === RuleMode.LIVE)
    }
    tables.set(rules, table)
  }
  return table
}

/** What each rule gives for this charge (see Outcome), rule by rule, when the set has no program. */
function outcomes (rules: readonly CompiledRule[], plan: RequirementPlan, values: readonly unknown[], features: unknown, out: unknown[]): void {
  for (let r = 0; r < rules.length; r++) {
    const requires = plan.byRule[r] as readonly number[]
    let allKnown = true
    for (let i = 0; i < requires.length; i++) {
      if (values[requires[i] as number] === undefined) {
        allKnown = false
        break
      }
    }
    if (!allKnown) out[r] = Outcome.SKIPPED
    else {
      const compiled = (rules[r] as CompiledRule).compiled
      if (compiled === undefined) out[r] = Outcome.INTERPRET
      else {
        try {
          out[r] = compiled(features)
        } catch {
          out[r] = Outcome.THREW
        }
      }
    }
  }
}

/**
 * Scores one charge: pure and synchronous, the same Features always give the same Evaluation.
 *
 * - A rule that reads a feature path absent from the Features (no card, Redis down...) is not
 *   evaluated and is listed in `skipped` with those paths; paths tested with `has()` are exempt.
 *   A condition that fails at run time (division by zero, bad regex...) is skipped with its error.
 * - The score is the sum of the fired live rules' scores, clamped to 0..100.
 * - Decision precedence: allow action > block action > review action > score thresholds.
 * - `shadow` is what live and shadow rules together would decide (score, decision); its reasons
 *   are the fired shadow rules (the live ones are in `reasons`).
 */
export function evaluate (ruleSet: CompiledRuleSet, features: Features): Evaluation {
  const source: unknown = features !== null && typeof features === 'object' ? features : {}
  // the CEL context of the interpreter, built only when a rule needs the interpreter
  let context: Record<string, unknown> | undefined
  const reasons: Reason[] = []
  const shadowReasons: Reason[] = []
  const skipped: SkippedRule[] = []
  let liveScore = 0
  let allScore = 0
  let liveActions = 0
  let allActions = 0

  const rules = ruleSet.rules
  const program = ruleSet.program !== undefined && ruleSet.program.rules === rules ? ruleSet.program : undefined
  const table = ruleTable(rules, program)
  const plan = table.plan
  const paths = plan.paths
  // every path of the plan read once: whether it is known (not undefined), and what reasons show
  const values: unknown[] = new Array(paths.length)
  const results: unknown[] = new Array(rules.length)
  if (program !== undefined) {
    program.read(source, values)
    program.run(source, values, results)
  } else {
    for (let i = 0; i < paths.length; i++) values[i] = readPath(source, (paths[i] as RequiredPath).segments)
    outcomes(rules, plan, values, source, results)
  }
  // the values as reasons show them, made at the first rule that fires
  let shown: unknown[] | undefined

  for (let r = 0; r < rules.length; r++) {
    let result = results[r]
    if (result === Outcome.SKIPPED) {
      const requires = plan.byRule[r] as readonly number[]
      const unknown: string[] = []
      for (let i = 0; i < requires.length; i++) {
        const at = requires[i] as number
        if (values[at] === undefined) unknown.push((paths[at] as RequiredPath).path)
      }
      skipped.push({ rule: (rules[r] as CompiledRule).id, unknown })
      continue
    }
    if (result === Outcome.THREW || result === Outcome.INTERPRET) {
      // the interpreter gives the exact CEL answer, or the error
      try {
        result = (rules[r] as CompiledRule).condition(context ??= buildCelContext(ruleSet.context, source as Features))
      } catch (error) {
        skipped.push({ rule: (rules[r] as CompiledRule).id, unknown: [], error: describeError(error) })
        continue
      }
    }
    if (result !== true) {
      if (result !== false) skipped.push({ rule: (rules[r] as CompiledRule).id, unknown: [], error: 'the condition did not return a bool' })
      continue
    }

    if (shown === undefined) {
      shown = new Array(paths.length)
      for (let i = 0; i < paths.length; i++) shown[i] = shownValue(values[i])
    }
    const shows = plan.showsByRule[r] as readonly number[]
    const rule = rules[r] as CompiledRule
    const reason: Reason = {
      rule: rule.id,
      description: rule.description,
      score: rule.score,
      action: rule.action,
      values: program !== undefined && !anyHidden(shows, shown)
        ? (program.reasonValues[r] as ReasonValuesBuilder)(shown) as ReasonValues
        : reasonValuesOf(shows, paths, shown)
    }
    const score = table.scores[r] as number
    const flag = table.flags[r] as number
    allScore += score
    allActions |= flag
    if (table.live[r] as boolean) {
      liveScore += score
      liveActions |= flag
      reasons.push(reason)
    } else {
      shadowReasons.push(reason)
    }
  }

  const score = clampScore(liveScore)
  const shadowScore = clampScore(allScore)
  return {
    decision: decide(ruleSet.thresholds, score, liveActions),
    score,
    reasons,
    shadow: { decision: decide(ruleSet.thresholds, shadowScore, allActions), score: shadowScore, reasons: shadowReasons },
    skipped
  }
}
