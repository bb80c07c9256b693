import type { CompiledRuleSet, RuleAcknowledgement } from '../engine/ruleset.js'
import { closestNames, orList } from '../engine/suggest.js'
import { ACKNOWLEDGEABLE, LintCode, LintSeverity, PAIR_WARNINGS } from './finding.js'
import type { LintFinding } from './finding.js'

const CODES: ReadonlySet<string> = new Set(Object.values(LintCode))
const ACKNOWLEDGEABLE_CODES: ReadonlySet<string> = new Set(ACKNOWLEDGEABLE)
const PAIR_CODES: ReadonlySet<string> = new Set(PAIR_WARNINGS)

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

/** why the `with:` of an acknowledgement cannot be, or undefined */
function invalidWith (ack: RuleAcknowledgement, rule: string, ids: ReadonlySet<string>): string | undefined {
  if (ack.with === undefined) return undefined
  if (!PAIR_CODES.has(ack.warning)) return `${ack.warning} is about this rule alone: with names other rules only for ${PAIR_WARNINGS.join(', ')}`
  for (const other of ack.with) {
    if (other === rule) return `with names the rule itself (${other}): name the other rules of the warning`
    if (!ids.has(other)) {
      const close = closestNames(other, ids)
      return `with: no rule ${other} in this set${close.length > 0 ? `: did you mean ${orList(close)}?` : ''}`
    }
  }
  return undefined
}

/**
 * Applies the rules' `acknowledge:` entries to the findings: a warning about a rule that the rule
 * acknowledges gets `acknowledged` (its reason), and stays in the findings, shown. Returns the
 * findings the acknowledgements themselves give: an error for a code no rule can acknowledge (an
 * unknown code, an error, a warning about a list) or a `with:` naming no other rule of the set,
 * and, when `warnings` were looked for, a warning for an acknowledgement of a warning the rule
 * does not have (with each rule of its `with:`), never acknowledged itself. An acknowledgement
 * with `with:` covers the rule's warnings of that code about those rules only: an overlap with a
 * block rule added later is a warning again.
 */
export function applyAcknowledgements (ruleSet: CompiledRuleSet, findings: LintFinding[], file: string, warnings: boolean): LintFinding[] {
  const out: LintFinding[] = []
  const at = (rule: string, ack: RuleAcknowledgement, severity: LintFinding['severity'], code: LintFinding['code'], message: string): void => {
    out.push({ severity, code, file, line: ack.line, column: ack.column, rule, message })
  }
  const ids: ReadonlySet<string> = new Set(ruleSet.rules.map((r) => r.id))
  for (const rule of ruleSet.rules) {
    for (const ack of rule.acknowledge ?? []) {
      const invalid = invalidReason(ack.warning) ?? invalidWith(ack, rule.id, ids)
      if (invalid !== undefined) {
        at(rule.id, ack, LintSeverity.ERROR, LintCode.INVALID_ACKNOWLEDGEMENT, `acknowledge: ${invalid}`)
        continue
      }
      if (!warnings) continue
      const covered = findings.filter((f) => f.severity === LintSeverity.WARNING && f.rule === rule.id && f.code === ack.warning &&
        (ack.with === undefined || (f.related !== undefined && ack.with.includes(f.related))))
      for (const finding of covered) finding.acknowledged = { reason: ack.reason }
      if (ack.with === undefined) {
        if (covered.length === 0) {
          at(rule.id, ack, LintSeverity.WARNING, LintCode.UNNEEDED_ACKNOWLEDGEMENT,
            `acknowledges ${ack.warning}, but the rule has no such warning: remove the acknowledgement`)
        }
        continue
      }
      for (const other of ack.with) {
        if (covered.some((f) => f.related === other)) continue
        at(rule.id, ack, LintSeverity.WARNING, LintCode.UNNEEDED_ACKNOWLEDGEMENT,
          `acknowledges ${ack.warning} with ${other}, but the rule has no such warning with ${other}: remove it from with:`)
      }
    }
  }
  return out
}
