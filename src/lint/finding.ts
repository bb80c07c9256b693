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
  UNUSED_LIST: 'unused_list',
  EMPTY_LIST: 'empty_list',
  UNUSED_COUNTER: 'unused_counter'
} as const
export type LintCode = typeof LintCode[keyof typeof LintCode]

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
  message: string
  /** a charge that shows the problem (the values of the paths the rules read) */
  example?: Example
}

/** `rules/ruleset.yaml:12:11 error rule tor_exit: can never fire: ... [never_fires]` */
export function formatFinding (finding: LintFinding): string {
  const where = `${finding.file}:${finding.line}:${finding.column}`
  const subject = finding.rule === undefined ? '' : `rule ${finding.rule}: `
  return `${where} ${finding.severity} ${subject}${finding.message} [${finding.code}]`
}
