import { findConditionReads } from '../engine/cel-reads.js'
import { createCelEnvironment } from '../engine/cel-environment.js'
import type { CompiledRule, CompiledRuleSet, RuleAction } from '../engine/ruleset.js'
import { applyAcknowledgements } from './acknowledgements.js'
import { findAllowOverrides } from './allow-overrides.js'
import type { AnalyzedRule } from './allow-overrides.js'
import { domainOf } from './domains.js'
import { LintCode, LintSeverity } from './finding.js'
import type { LintFinding } from './finding.js'
import { toFormula } from './formula.js'
import type { Formula } from './formula.js'
import { locateRuleFile } from './rule-source.js'
import type { Position } from './rule-source.js'
import { implies, satisfiable } from './satisfiable.js'
import type { SolverContext } from './satisfiable.js'

/** A compiled rule set and the text it was compiled from (for positions). */
export interface LintInput {
  ruleSet: CompiledRuleSet
  /** display name of the rule file, as in compile errors */
  file: string
  text: string
}

export interface LintOptions {
  /** random charges tried per allow/block pair when the solver cannot build one (default 2,000) */
  samples?: number
  /**
   * false: look for errors only (what decides whether a set may go live), skipping the analyses
   * that only find warnings, the costly ones among them (pairs of rules, example charges)
   */
  warnings?: boolean
}

/** allow > block > review: the precedence of DESIGN.md */
const RANK: Readonly<Record<RuleAction, number>> = { allow: 3, block: 2, review: 1 }

function requiresSubset (a: CompiledRule, b: CompiledRule): boolean {
  const paths = new Set(b.requires.map((r) => r.path))
  return a.requires.every((r) => paths.has(r.path))
}

function sameReads (a: CompiledRule, b: CompiledRule): boolean {
  const key = (r: CompiledRule): string => r.shows.map((s) => s.path).sort().join('\n')
  return key(a) === key(b)
}

function effect (rule: CompiledRule): string {
  if (rule.action !== null && rule.score !== null) return `action ${rule.action}, score ${rule.score}`
  return rule.action !== null ? `action ${rule.action}` : `score ${String(rule.score)}`
}

/**
 * Lints a compiled rule set (pure: no I/O). Errors: rules that can never fire, acknowledgements of
 * codes no rule can acknowledge. Warnings: rules that fire on every charge, rules shadowed by
 * another action rule, score rules with the same condition, allow rules that can override a block
 * (fire together with a block rule, or on a charge whose score reaches the block threshold: with an
 * example charge confirmed by the engine itself), lists and velocity counters declared but unused,
 * empty lists, acknowledgements of warnings a rule does not have. A warning its rule acknowledges
 * (`acknowledge:`) is returned with its reason in `acknowledged`. Lists and counters used but not
 * declared are compile errors already, and so are regular expressions RE2 refuses: matches() runs
 * on a linear-time engine, so no pattern can backtrack catastrophically.
 */
export function lintRuleSet (input: LintInput, options: LintOptions = {}): LintFinding[] {
  const warnings = options.warnings ?? true
  const { ruleSet } = input
  const locations = locateRuleFile(input.file, input.text)
  const findings: LintFinding[] = []
  const add = (severity: LintFinding['severity'], code: LintFinding['code'], at: Position, message: string, rule?: string, example?: LintFinding['example'], related?: string): void => {
    const finding: LintFinding = { severity, code, file: input.file, line: at.line, column: at.column, message }
    if (rule !== undefined) finding.rule = rule
    if (related !== undefined) finding.related = related
    if (example !== undefined) finding.example = example
    findings.push(finding)
  }

  const env = createCelEnvironment(ruleSet.velocity.map((s) => s.name), [...ruleSet.lists.keys()])
  const ctx: SolverContext = {
    domain: (path) => domainOf(path, ruleSet.velocity),
    list: (name) => ruleSet.lists.get(name)
  }
  const usedCounters = new Set<string>()
  const usedLists = new Set<string>()
  const analyzed: AnalyzedRule[] = []

  ruleSet.rules.forEach((rule, index) => {
    const ast = env.parse(rule.when).ast
    const reads = findConditionReads(ast)
    for (const ref of reads.velocity) usedCounters.add(ref.name)
    for (const ref of reads.lists) usedLists.add(ref.name)
    const formula: Formula = toFormula(ast)
    const sat = satisfiable(formula, ctx)
    analyzed.push({ rule, ast, formula, index, sat })

    if (sat.status === 'unsat') {
      add(LintSeverity.ERROR, LintCode.NEVER_FIRES, locations.condition(rule.id, sat.span?.start ?? 0), `can never fire: ${sat.reason}`, rule.id)
    } else if (warnings && satisfiable({ kind: 'not', part: formula }, ctx).status === 'unsat') {
      add(LintSeverity.WARNING, LintCode.ALWAYS_FIRES, locations.rule(rule.id),
        'fires on every charge whose inputs are known: the condition is always true', rule.id)
    }
  })
  const byPlace = (x: LintFinding, y: LintFinding): number => x.line - y.line || x.column - y.column
  if (!warnings) return [...findings, ...applyAcknowledgements(ruleSet, findings, input.file, false)].sort(byPlace)

  for (const spec of ruleSet.velocity) {
    if (!usedCounters.has(spec.name)) {
      add(LintSeverity.WARNING, LintCode.UNUSED_COUNTER, locations.velocity(spec.name),
        `velocity counter ${spec.name} is declared but no rule reads it: the velocity store still maintains it on every charge`)
    }
  }
  for (const [name, values] of ruleSet.lists) {
    if (!usedLists.has(name)) add(LintSeverity.WARNING, LintCode.UNUSED_LIST, locations.list(name), `list ${name} is declared but no rule reads it`)
    else if (values.size === 0) add(LintSeverity.WARNING, LintCode.EMPTY_LIST, locations.list(name), `list ${name} is empty: membership tests on it are never true`)
  }

  const live = analyzed.filter((a) => a.sat.status === 'sat')
  for (const b of live) {
    for (const a of live) {
      if (a === b || a.rule.mode !== b.rule.mode) continue
      const order = a.index < b.index ? 'earlier' : 'later'
      if (b.rule.action !== null && a.rule.action !== null && RANK[a.rule.action] >= RANK[b.rule.action] && requiresSubset(a.rule, b.rule)) {
        if (implies(b.formula, a.formula, ctx) !== true) continue
        const equivalent = implies(a.formula, b.formula, ctx) === true
        // of two equivalent rules with the same action, report the later one only
        if (equivalent && a.rule.action === b.rule.action && a.index > b.index) continue
        const why = equivalent ? `has the same condition as the ${order} rule ${a.rule.id}` : `fires only when the ${order} rule ${a.rule.id} fires too`
        const wins = a.rule.action === b.rule.action ? `which already ${a.rule.action === 'allow' ? 'allows' : a.rule.action === 'block' ? 'blocks' : 'sends to review'}` : `whose ${a.rule.action} wins over ${b.rule.action}`
        add(LintSeverity.WARNING, LintCode.SHADOWED, locations.rule(b.rule.id), `shadowed: ${why} (${effect(a.rule)}), ${wins}: this rule never changes a decision`, b.rule.id, undefined, a.rule.id)
        break
      }
      if (b.rule.action === null && a.rule.action === null && a.index < b.index && sameReads(a.rule, b.rule) &&
          implies(a.formula, b.formula, ctx) === true && implies(b.formula, a.formula, ctx) === true) {
        add(LintSeverity.WARNING, LintCode.DUPLICATE_CONDITION, locations.rule(b.rule.id),
          `fires exactly when the earlier rule ${a.rule.id} fires (same condition): their scores add up (${String(a.rule.score)} + ${String(b.rule.score)}); merge them into one rule`, b.rule.id, undefined, a.rule.id)
        break
      }
    }
  }

  for (const finding of findAllowOverrides(analyzed, {
    ruleSet,
    ctx,
    domain: ctx.domain,
    ...(options.samples !== undefined ? { samples: options.samples } : {})
  })) {
    add(LintSeverity.WARNING, finding.code, locations.rule(finding.rule), finding.message, finding.rule, finding.example, finding.related)
  }

  return [...findings, ...applyAcknowledgements(ruleSet, findings, input.file, true)].sort(byPlace)
}
