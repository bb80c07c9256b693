import type { CompiledRuleSet, RuleAcknowledgement } from '../engine/ruleset.js'
import { closestNames, orList } from '../engine/suggest.js'
import { ACKNOWLEDGEABLE, LintCode, LintSeverity } from './finding.js'
import type { LintFinding } from './finding.js'

const CODES: ReadonlySet<string> = new Set(Object.values(LintCode))
const ACKNOWLEDGEABLE_CODES: ReadonlySet<string> = new Set(ACKNOWLEDGEABLE)

/** why an acknowledged code is not one a rule can acknowledge, or undefined when it is one */
function invalidReason (code: string): string | undefined {
  if (ACKNOWLEDGEABLE_CODES.has(code)) return undefined
  if (code === LintCode.NEVER_FIRES || code === LintCode.INVALID_ACKNOWLEDGEMENT) {
    return `${code} is an error, not a warning: it cannot be acknowledged (fix the rule)`
  }
  if (code === LintCode.UNNEEDED_ACKNOWLEDGEMENT) return `${code} cannot be acknowledged: remove the acknowledgement that is not needed`
  if (CODES.has(code)) return `${code} is a warning about a list or a velocity counter, not about a rule: remove the declaration, or use it`
  const close = closestNames(code, ACKNOWLEDGEABLE)
  return `${code} is not a lint warning${close.length > 0 ? `: did you mean ${orList(close)}?` : ''} (a rule may acknowledge: ${ACKNOWLEDGEABLE.join(', ')})`
}

/**
 * Applies the rules' `acknowledge:` entries to the findings: a warning about a rule that the rule
 * acknowledges gets `acknowledged` (its reason), and stays in the findings, shown. Returns the
 * findings the acknowledgements themselves give: an error for a code no rule can acknowledge (an
 * unknown code, an error, a warning about a list), and, when `warnings` were looked for, a warning
 * for an acknowledgement of a warning the rule does not have (never acknowledged itself).
 */
export function applyAcknowledgements (ruleSet: CompiledRuleSet, findings: LintFinding[], file: string, warnings: boolean): LintFinding[] {
  const out: LintFinding[] = []
  const at = (rule: string, ack: RuleAcknowledgement, severity: LintFinding['severity'], code: LintFinding['code'], message: string): void => {
    out.push({ severity, code, file, line: ack.line, column: ack.column, rule, message })
  }
  for (const rule of ruleSet.rules) {
    for (const ack of rule.acknowledge ?? []) {
      const invalid = invalidReason(ack.warning)
      if (invalid !== undefined) {
        at(rule.id, ack, LintSeverity.ERROR, LintCode.INVALID_ACKNOWLEDGEMENT, `acknowledge: ${invalid}`)
        continue
      }
      if (!warnings) continue
      const covered = findings.filter((f) => f.severity === LintSeverity.WARNING && f.rule === rule.id && f.code === ack.warning)
      for (const finding of covered) finding.acknowledged = { reason: ack.reason }
      if (covered.length === 0) {
        at(rule.id, ack, LintSeverity.WARNING, LintCode.UNNEEDED_ACKNOWLEDGEMENT,
          `acknowledges ${ack.warning}, but the rule has no such warning: remove the acknowledgement`)
      }
    }
  }
  return out
}
