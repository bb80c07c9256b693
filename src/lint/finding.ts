import type { Example } from './common-charge.js'

export const LintSeverity = {
  /** the rule set is wrong: `riskgate rules check` fails */
  ERROR: 'error',
  /** probably a mistake: fails only with --strict */
  WARNING: 'warning'
} as const
export type LintSeverity = typeof LintSeverity[keyof typeof LintSeverity]

export const LintCode = {
  NEVER_FIRES: 'never_fires',
  ALWAYS_FIRES: 'always_fires',
  SHADOWED: 'shadowed',
  DUPLICATE_CONDITION: 'duplicate_condition',
  ALLOW_BLOCK_OVERLAP: 'allow_block_overlap',
  ALLOW_OVERRIDES_SCORE: 'allow_overrides_score',
  UNUSED_LIST: 'unused_list',
  EMPTY_LIST: 'empty_list',
  UNUSED_COUNTER: 'unused_counter',
  /** an `acknowledge:` entry naming no warning a rule can have (an error) */
  INVALID_ACKNOWLEDGEMENT: 'invalid_acknowledgement',
  /** an `acknowledge:` entry for a warning the rule does not have (a warning, never acknowledged) */
  UNNEEDED_ACKNOWLEDGEMENT: 'unneeded_acknowledgement'
} as const
export type LintCode = typeof LintCode[keyof typeof LintCode]

/** The warnings about a rule and another one, named by `related`: an acknowledgement may name those (`with:`). */
export const PAIR_WARNINGS: readonly LintCode[] = [LintCode.SHADOWED, LintCode.DUPLICATE_CONDITION, LintCode.ALLOW_BLOCK_OVERLAP]

/** The warnings about one rule, which that rule may acknowledge (`acknowledge:` in the rule file). */
export const ACKNOWLEDGEABLE: readonly LintCode[] = [
  LintCode.ALWAYS_FIRES,
  LintCode.SHADOWED,
  LintCode.DUPLICATE_CONDITION,
  LintCode.ALLOW_BLOCK_OVERLAP,
  LintCode.ALLOW_OVERRIDES_SCORE
]

export interface LintFinding {
  severity: LintSeverity
  code: LintCode
  file: string
  /** 1-based */
  line: number
  /** 1-based */
  column: number
  /** the rule the finding is about, when it is about a rule */
  rule?: string
  /**
   * the other rule a finding about two rules names: the block rule an allow overrides, the rule
   * that shadows this one, the earlier rule of a duplicate condition
   */
  related?: string
  message: string
  /** a charge that shows the problem (the values of the paths the rules read) */
  example?: Example
  /**
   * the rule acknowledges this warning on purpose, with this reason: it is still shown, but does
   * not fail `riskgate rules check --strict`
   */
  acknowledged?: { reason: string }
}

/** a warning no acknowledgement covers: what `--strict` fails on */
export function isOpenWarning (finding: LintFinding): boolean {
  return finding.severity === LintSeverity.WARNING && finding.acknowledged === undefined
}

/**
 * `rules/ruleset.yaml:12:11 error rule tor_exit: can never fire: ... [never_fires]`; an
 * acknowledged warning ends with `(acknowledged: <reason>)`.
 */
export function formatFinding (finding: LintFinding): string {
  const where = `${finding.file}:${finding.line}:${finding.column}`
  const subject = finding.rule === undefined ? '' : `rule ${finding.rule}: `
  const acknowledged = finding.acknowledged === undefined ? '' : ` (acknowledged: ${finding.acknowledged.reason})`
  return `${where} ${finding.severity} ${subject}${finding.message} [${finding.code}]${acknowledged}`
}
