import { buildCelContext } from './cel-context.js'
import { authorsText } from './cel-environment.js'
import { ActionFlag, clampScore, decide } from './decide.js'
import type { Features } from './features.js'
import { HIDDEN, Outcome, planRequirements, readPath } from './compiled/program.js'
import type { ProgramSink, RequiredPath, RequirementPlan } from './compiled/program.js'
import { RuleMode } from './ruleset.js'
import type { CompiledRule, CompiledRuleSet, Evaluation, Reason, RuleAction, SkippedRule } from './ruleset.js'

type ReasonValues = Reason['values']

/** long free text (descriptions) is cut in reasons: they explain a decision, they do not archive the charge */
export const MAX_SHOWN_STRING = 200

/** a feature value as a reason shows it (absent: null), or HIDDEN */
export function shownValue (value: unknown): unknown {
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

function describeError (error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { summary?: unknown, message?: unknown }
    if (typeof e.summary === 'string') return authorsText(e.summary)
    if (typeof e.message === 'string') return authorsText(e.message)
  }
  return 'the condition failed'
}

/** The fields of a rules array evaluate() reads by index, computed once per array. */
interface RuleTable {
  readonly rules: readonly CompiledRule[]
  readonly ids: readonly string[]
  readonly descriptions: readonly string[]
  readonly scores: ReadonlyArray<number | null>
  readonly actions: ReadonlyArray<RuleAction | null>
  /** what a fired rule adds to the score, and its action as a flag */
  readonly points: readonly number[]
  readonly flags: readonly number[]
  readonly live: readonly boolean[]
}

const tables = new WeakMap<readonly CompiledRule[], RuleTable>()

function ruleTable (rules: readonly CompiledRule[]): RuleTable {
  let table = tables.get(rules)
  if (table === undefined) {
    table = {
      rules,
      ids: rules.map((rule) => rule.id),
      descriptions: rules.map((rule) => rule.description),
      scores: rules.map((rule) => rule.score),
      actions: rules.map((rule) => rule.action),
      points: rules.map((rule) => rule.score ?? 0),
      flags: rules.map((rule) => actionFlag(rule.action)),
      live: rules.map((rule) => rule.mode === RuleMode.LIVE)
    }
    tables.set(rules, table)
  }
  return table
}

/** the plan of paths of a rules array without a program (built by hand, not by compileRuleSet) */
const plans = new WeakMap<readonly CompiledRule[], RequirementPlan>()

function requirementPlan (rules: readonly CompiledRule[]): RequirementPlan {
  let plan = plans.get(rules)
  if (plan === undefined) {
    plan = planRequirements(rules)
    plans.set(rules, plan)
  }
  return plan
}

/**
 * The evaluation of one charge as its rules report, in rule order: from the rule set's program
 * (src/engine/compiled/program.ts) or rule by rule. Conditions that threw, are not compiled or
 * gave no bool get the interpreter's answer here.
 */
class Tally implements ProgramSink {
  liveScore = 0
  allScore = 0
  liveActions = 0
  allActions = 0
  readonly reasons: Reason[] = []
  readonly shadowReasons: Reason[] = []
  readonly skipped: SkippedRule[] = []
  /** the CEL context of the interpreter, built only when a rule needs the interpreter */
  private context: Record<string, unknown> | undefined = undefined

  private readonly ruleSet: CompiledRuleSet
  private readonly plan: RequirementPlan
  private readonly source: unknown
  private readonly known: readonly unknown[]
  private readonly shown: readonly unknown[]
  /** the rules' fields, looked up when a rule needs more than the program writes itself */
  private ruleFields: RuleTable | undefined = undefined

  constructor (ruleSet: CompiledRuleSet, plan: RequirementPlan, source: unknown, values: readonly unknown[], shown: readonly unknown[]) {
    this.ruleSet = ruleSet
    this.plan = plan
    this.source = source
    this.known = values
    this.shown = shown
  }

  private get table (): RuleTable {
    this.ruleFields ??= ruleTable(this.ruleSet.rules)
    return this.ruleFields
  }

  fire (r: number, values: Record<string, unknown>): void {
    const table = this.table
    const points = table.points[r] as number
    const flag = table.flags[r] as number
    const reason: Reason = {
      rule: table.ids[r] as string,
      description: table.descriptions[r] as string,
      score: table.scores[r] as number | null,
      action: table.actions[r] as RuleAction | null,
      values: values as ReasonValues
    }
    this.allScore += points
    this.allActions |= flag
    if (table.live[r] as boolean) {
      this.liveScore += points
      this.liveActions |= flag
      this.reasons.push(reason)
    } else {
      this.shadowReasons.push(reason)
    }
  }

  /** skipped: the required paths that are unknown */
  skip (r: number): void {
    const plan = this.plan
    const requires = plan.byRule[r] as readonly number[]
    const unknown: string[] = []
    for (let i = 0; i < requires.length; i++) {
      const at = requires[i] as number
      if (this.known[at] === undefined) unknown.push((plan.paths[at] as RequiredPath).path)
    }
    this.skipped.push({ rule: this.table.ids[r] as string, unknown })
  }

  other (r: number, result: unknown): void {
    if (result === Outcome.THREW || result === Outcome.INTERPRET) {
      // the interpreter gives the exact CEL answer, or the error
      try {
        result = (this.table.rules[r] as CompiledRule).condition(this.context ??= buildCelContext(this.ruleSet.context, this.source as Features))
      } catch (error) {
        this.skipped.push({ rule: this.table.ids[r] as string, unknown: [], error: describeError(error) })
        return
      }
    }
    if (result === true) this.fire(r, this.values(r))
    else if (result !== false) this.skipped.push({ rule: this.table.ids[r] as string, unknown: [], error: 'the condition did not return a bool' })
  }

  /** the values of a fired rule's reason: its shown paths in order, but those HIDDEN */
  values (r: number): Record<string, unknown> {
    const plan = this.plan
    const shows = plan.showsByRule[r] as readonly number[]
    const values: Record<string, unknown> = {}
    for (let i = 0; i < shows.length; i++) {
      const at = shows[i] as number
      const value = this.shown[at]
      if (value !== HIDDEN) values[(plan.paths[at] as RequiredPath).path] = value
    }
    return values
  }
}

/** Each rule's compiled function (or the interpreter), rule by rule: for a set without a program. */
function ruleByRule (tally: Tally, rules: readonly CompiledRule[], plan: RequirementPlan, values: readonly unknown[], features: unknown): void {
  for (let r = 0; r < rules.length; r++) {
    const requires = plan.byRule[r] as readonly number[]
    let allKnown = true
    for (let i = 0; i < requires.length; i++) {
      if (values[requires[i] as number] === undefined) {
        allKnown = false
        break
      }
    }
    const compiled = (rules[r] as CompiledRule).compiled
    if (!allKnown) tally.skip(r)
    else if (compiled === undefined) tally.other(r, Outcome.INTERPRET)
    else {
      let result: unknown
      try {
        result = compiled(features)
      } catch {
        result = Outcome.THREW
      }
      if (result === true) tally.fire(r, tally.values(r))
      else if (result !== false) tally.other(r, result)
    }
  }
}

/**
 * Scores one charge: pure and synchronous, the same Features always give the same Evaluation.
 *
 * - A rule that reads a feature path absent from the Features (no card, Redis down...) is not
 *   evaluated and is listed in `skipped` with those paths; paths tested with `has()` are exempt.
 *   A condition that fails at run time (division by zero, a missing metadata key...) is skipped with its error.
 * - The score is the sum of the fired live rules' scores, clamped to 0..100.
 * - Decision precedence (src/engine/decide.ts): allow action > block (action, or score >= block
 *   threshold) > review (action, or score >= review threshold) > allow.
 * - `shadow` is what live and shadow rules together would decide (score, decision); its reasons
 *   are the fired shadow rules (the live ones are in `reasons`).
 */
export function evaluate (ruleSet: CompiledRuleSet, features: Features): Evaluation {
  const source: unknown = features !== null && typeof features === 'object' ? features : {}
  const rules = ruleSet.rules
  const program = ruleSet.program !== undefined && ruleSet.program.rules === rules ? ruleSet.program : undefined
  const plan = program !== undefined ? program.plan : requirementPlan(rules)
  const paths = plan.paths
  // every path of the plan read once: whether it is known (not undefined), and what reasons show
  const values: unknown[] = new Array(paths.length)
  // the program reads each root of the Features once (its conditions read the roots it returns)
  const roots = program !== undefined ? program.read(source as object, values) : undefined
  if (roots === undefined) for (let i = 0; i < paths.length; i++) values[i] = readPath(source, (paths[i] as RequiredPath).segments)
  const shown: unknown[] = new Array(paths.length)
  for (let i = 0; i < paths.length; i++) shown[i] = shownValue(values[i])

  const tally = new Tally(ruleSet, plan, source, values, shown)
  if (program !== undefined && roots !== undefined) program.run(roots, values, shown, tally)
  else ruleByRule(tally, rules, plan, values, source)

  const score = clampScore(tally.liveScore)
  const shadowScore = clampScore(tally.allScore)
  return {
    decision: decide(ruleSet.thresholds, score, tally.liveActions),
    score,
    reasons: tally.reasons,
    shadow: { decision: decide(ruleSet.thresholds, shadowScore, tally.allActions), score: shadowScore, reasons: tally.shadowReasons },
    skipped: tally.skipped
  }
}
