import { evaluate } from '../engine/evaluate.js'
import { RuleAction, RuleMode } from '../engine/ruleset.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { featuresOf, findCommonCharge, formatExample } from './common-charge.js'
import type { Example, RuleFacts } from './common-charge.js'
import type { Domain } from './domains.js'
import { LintCode } from './finding.js'
import { satisfiable } from './satisfiable.js'
import type { SatResult, SolverContext } from './satisfiable.js'

/** A rule of the set with what the lint found out about its condition. */
export interface AnalyzedRule extends RuleFacts {
  /** its place in the rule file */
  index: number
  sat: SatResult
}

/** A finding about an allow rule: it is reported at that rule. */
export interface AllowFinding {
  code: typeof LintCode.ALLOW_BLOCK_OVERLAP | typeof LintCode.ALLOW_OVERRIDES_SCORE
  /** the allow rule */
  rule: string
  /** the block rule it overrides (allow_block_overlap) */
  related?: string
  message: string
  example: Example
}

export interface AllowContext {
  ruleSet: CompiledRuleSet
  ctx: SolverContext
  domain: (path: string) => Domain
  /** random charges tried per search (see LintOptions.samples) */
  samples?: number
}

function search (context: AllowContext): { domain: (path: string) => Domain, samples?: number } {
  return { domain: context.domain, ...(context.samples !== undefined ? { samples: context.samples } : {}) }
}

function inShadow (...rules: AnalyzedRule[]): string {
  return rules.some((r) => r.rule.mode === RuleMode.SHADOW) ? ' (in the shadow decision)' : ''
}

/**
 * The block rules an allow rule can fire together with (allow wins: DESIGN.md's precedence), each
 * with a charge the engine confirms both fire on.
 */
function blockOverlaps (allow: AnalyzedRule, blocks: readonly AnalyzedRule[], context: AllowContext): AllowFinding[] {
  const out: AllowFinding[] = []
  for (const block of blocks) {
    if (block === allow) continue
    const both = satisfiable({ kind: 'and', parts: [allow.formula, block.formula] }, context.ctx)
    if (both.status === 'unsat') continue
    const example = findCommonCharge(context.ruleSet, [allow, block], both.status === 'sat' ? [both.model] : [], search(context))
    if (example === undefined) continue
    out.push({
      code: LintCode.ALLOW_BLOCK_OVERLAP,
      rule: allow.rule.id,
      related: block.rule.id,
      message: `can fire on the same charge as the block rule ${block.rule.id}, and allow wins${inShadow(allow, block)}: for example ${formatExample(example)}`,
      example
    })
  }
  return out
}

/**
 * Whether an allow rule can fire on a charge whose score reaches the block threshold (allow wins
 * over it). The score rules are taken greedily, the highest first, as long as the solver does not
 * rule out that they fire together with the allow rule and those taken before; a charge on which
 * they all fire is then searched for, and the whole set evaluated on it must confirm: the allow
 * fires and the score (the shadow score for a shadow allow) reaches the threshold.
 */
function scoreOverride (allow: AnalyzedRule, analyzed: readonly AnalyzedRule[], context: AllowContext): AllowFinding | undefined {
  const { ruleSet } = context
  const threshold = ruleSet.thresholds.block
  const shadowAllow = allow.rule.mode === RuleMode.SHADOW
  const pool = analyzed
    .filter((a) => a !== allow && (a.rule.score ?? 0) > 0 && a.sat.status !== 'unsat' && (shadowAllow || a.rule.mode === RuleMode.LIVE))
    .sort((x, y) => (y.rule.score ?? 0) - (x.rule.score ?? 0) || x.index - y.index)
  const chosen: AnalyzedRule[] = []
  let sum = allow.rule.score ?? 0
  let model = allow.sat.status === 'sat' ? allow.sat.model : undefined
  for (const candidate of pool) {
    if (sum >= threshold) break
    const together = satisfiable({ kind: 'and', parts: [allow.formula, ...chosen.map((c) => c.formula), candidate.formula] }, context.ctx)
    if (together.status === 'unsat') continue
    chosen.push(candidate)
    sum += candidate.rule.score ?? 0
    model = together.status === 'sat' ? together.model : undefined
  }
  if (sum < threshold) return undefined
  const example = findCommonCharge(ruleSet, [allow, ...chosen], model === undefined ? [] : [model], search(context))
  if (example === undefined) return undefined

  const evaluation = evaluate(ruleSet, featuresOf(example))
  const reasons = shadowAllow ? [...evaluation.reasons, ...evaluation.shadow.reasons] : evaluation.reasons
  const score = shadowAllow ? evaluation.shadow.score : evaluation.score
  if (!reasons.some((r) => r.rule === allow.rule.id) || score < threshold) return undefined
  const scored = reasons.filter((r) => r.score !== null).map((r) => `${r.rule} ${String(r.score)}`)
  return {
    code: LintCode.ALLOW_OVERRIDES_SCORE,
    rule: allow.rule.id,
    message: `can fire on a charge whose score reaches the block threshold (${threshold}), and allow wins${shadowAllow ? ' (in the shadow decision)' : ''}: ` +
      `for example ${formatExample(example)} (score ${score}${scored.length > 0 ? `: ${scored.join(', ')}` : ''})`,
    example
  }
}

/**
 * Where an allow action can override a block (DESIGN.md: only an allow overrides a block, on
 * purpose): per allow rule, every block rule it can fire together with, and whether it can fire
 * on a charge whose score reaches the block threshold. Only cases the engine confirms on an
 * example charge are reported.
 */
export function findAllowOverrides (analyzed: readonly AnalyzedRule[], context: AllowContext): AllowFinding[] {
  const possible = analyzed.filter((a) => a.sat.status !== 'unsat')
  const blocks = possible.filter((a) => a.rule.action === RuleAction.BLOCK)
  const out: AllowFinding[] = []
  for (const allow of possible.filter((a) => a.rule.action === RuleAction.ALLOW)) {
    out.push(...blockOverlaps(allow, blocks, context))
    const score = scoreOverride(allow, possible, context)
    if (score !== undefined) out.push(score)
  }
  return out
}
