import { buildCelContext } from './cel-context.js'
import { ActionFlag, clampScore, decide } from './decide.js'
import type { Features } from './features.js'
import { Outcome, planRequirements } from './compiled/program.js'
import type { RequiredPath, RequirementPlan } from './compiled/program.js'
import { RuleMode } from './ruleset.js'
import type { CompiledRule, CompiledRuleSet, Evaluation, Reason, RuleAction, SkippedRule } from './ruleset.js'

type ReasonValues = Reason['values']

/** long free text (descriptions) is cut in reasons: they explain a decision, they do not archive the charge */
export const MAX_SHOWN_STRING = 200

/** The value at a feature path, or undefined when any segment is absent (null counts as absent). */
function readPath (features: unknown, segments: readonly string[]): unknown {
  let node = features
  for (let i = 0; i < segments.length; i++) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[segments[i] as string]
  }
  return node === null ? undefined : node
}

function actionFlag (action: RuleAction | null): number {
  switch (action) {
    case 'allow': return ActionFlag.ALLOW
    case 'block': return ActionFlag.BLOCK
    case 'review': return ActionFlag.REVIEW
    default: return 0
  }
}

function reasonOf (rule: CompiledRule, features: unknown): Reason {
  const values: ReasonValues = {}
  for (const read of rule.shows) {
    const value = readPath(features, read.segments)
    if (value === undefined) values[read.path] = null
    else if (typeof value === 'string') values[read.path] = value.length > MAX_SHOWN_STRING ? `${value.slice(0, MAX_SHOWN_STRING)}…` : value
    else if (typeof value === 'boolean') values[read.path] = value
    else if (typeof value === 'number' && Number.isFinite(value)) values[read.path] = value
  }
  return { rule: rule.id, description: rule.description, score: rule.score, action: rule.action, values }
}

function describeError (error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { summary?: unknown, message?: unknown }
    if (typeof e.summary === 'string') return e.summary
    if (typeof e.message === 'string') return e.message
  }
  return 'the condition failed'
}

/** the plan of rules built by hand (not by compileRuleSet): computed once per rules array */
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
 * What each rule gives for this charge (see Outcome): the compiled program's answers for the whole
 * set in one call when the set has one, else the same rule by rule.
 */
function outcomes (ruleSet: CompiledRuleSet, plan: RequirementPlan, known: readonly boolean[], features: unknown): unknown[] {
  const rules = ruleSet.rules
  const out: unknown[] = new Array(rules.length)
  const program = ruleSet.program
  if (program !== undefined && program.rules === rules) {
    program.run(features, known, out)
    return out
  }
  for (let r = 0; r < rules.length; r++) {
    const requires = plan.byRule[r] as readonly number[]
    let allKnown = true
    for (let i = 0; i < requires.length; i++) {
      if (!known[requires[i] as number]) {
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
  return out
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
  const program = ruleSet.program
  const plan = program !== undefined && program.rules === rules ? program.plan : requirementPlan(rules)
  const paths = plan.paths
  const known: boolean[] = new Array(paths.length)
  for (let i = 0; i < paths.length; i++) known[i] = readPath(source, (paths[i] as RequiredPath).segments) !== undefined
  const results = outcomes(ruleSet, plan, known, source)

  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as CompiledRule
    let result = results[r]
    if (result === Outcome.SKIPPED) {
      const requires = plan.byRule[r] as readonly number[]
      const unknown: string[] = []
      for (let i = 0; i < requires.length; i++) {
        const at = requires[i] as number
        if (!known[at]) unknown.push((paths[at] as RequiredPath).path)
      }
      skipped.push({ rule: rule.id, unknown })
      continue
    }
    if (result === Outcome.THREW || result === Outcome.INTERPRET) {
      // the interpreter gives the exact CEL answer, or the error
      try {
        result = rule.condition(context ??= buildCelContext(ruleSet.context, source as Features))
      } catch (error) {
        skipped.push({ rule: rule.id, unknown: [], error: describeError(error) })
        continue
      }
    }
    if (result !== true) {
      if (result !== false) skipped.push({ rule: rule.id, unknown: [], error: 'the condition did not return a bool' })
      continue
    }

    const score = rule.score ?? 0
    const flag = actionFlag(rule.action)
    allScore += score
    allActions |= flag
    if (rule.mode === RuleMode.LIVE) {
      liveScore += score
      liveActions |= flag
      reasons.push(reasonOf(rule, source))
    } else {
      shadowReasons.push(reasonOf(rule, source))
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
