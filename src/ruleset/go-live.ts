import { compileRuleSet } from '../engine/compile.js'
import type { CompiledRuleSet, RuleSetSource } from '../engine/ruleset.js'
import type { SourceError } from '../engine/yaml-source.js'
import { LintSeverity } from '../lint/finding.js'
import type { LintFinding } from '../lint/finding.js'
import { lintRuleSet } from '../lint/lint-ruleset.js'

/** A rule set compiled and linted: everything that decides whether it may go live. */
export interface RuleSetCheck {
  /** the compiled set, when it compiles */
  ruleSet?: CompiledRuleSet
  /** compile errors (then there is no ruleSet and no finding) */
  errors: SourceError[]
  /** lint findings of the compiled set: its errors, and its warnings when asked for */
  findings: LintFinding[]
}

export interface CheckOptions {
  /**
   * also look for warnings (default: false). They never stop a set, so the service does not look
   * for them: some of those analyses cost time in proportion to pairs of rules.
   */
  warnings?: boolean
  /** see LintOptions.samples */
  samples?: number
}

/** Compiles a rule set and, when it compiles, lints it. Pure: the caller reads the files. */
export function checkRuleSet (source: RuleSetSource, options: CheckOptions = {}): RuleSetCheck {
  const compiled = compileRuleSet(source)
  if (!compiled.ok) return { errors: compiled.errors, findings: [] }
  const findings = lintRuleSet({ ruleSet: compiled.ruleSet, file: compiled.ruleSet.definition.file, text: source.text }, {
    warnings: options.warnings ?? false,
    ...(options.samples !== undefined ? { samples: options.samples } : {})
  })
  return { ruleSet: compiled.ruleSet, errors: [], findings }
}

/**
 * The one rule, for the service (start and reload) and `riskgate rules check` alike: a rule set
 * may go live when it compiles and its lint finds no error. Warnings never stop it.
 */
export function mayGoLive (check: RuleSetCheck): check is RuleSetCheck & { ruleSet: CompiledRuleSet } {
  return check.ruleSet !== undefined && check.errors.length === 0 && !check.findings.some((f) => f.severity === LintSeverity.ERROR)
}

/** Why a set may not go live: its compile errors, else its lint errors, each at its file:line:col. */
export function refusalReasons (check: RuleSetCheck): SourceError[] {
  if (check.errors.length > 0) return check.errors
  return check.findings.filter((f) => f.severity === LintSeverity.ERROR).map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    ...(f.rule !== undefined ? { rule: f.rule } : {}),
    message: `${f.message} [${f.code}]`
  }))
}
