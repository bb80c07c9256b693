import { ActionFlag, clampScore, decide } from '../engine/decide.js'
import type { Reason, Thresholds } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import type { OutcomeClass } from './outcome.js'
import { addToTally, newTally, perDecision } from './stats.js'
import type { Tally } from './stats.js'

/** What removing one live rule from the candidate would change. */
export interface RuleRemoval {
  /** decisions that change without the rule */
  changed: Tally
  /** what those decisions become */
  to: Record<Decision, number>
  /** fraud the candidate blocks with the rule and not without it */
  fraud_caught_lost: number
  /** fraud blocked only without it (the rule allows, or lowers the score) */
  fraud_caught_gained: number
  /** good charges blocked with the rule and not without it */
  good_blocked_lost: number
  /** good charges blocked only without it */
  good_blocked_gained: number
}

function flagOf (action: Reason['action']): number {
  return action === 'allow' ? ActionFlag.ALLOW : action === 'block' ? ActionFlag.BLOCK : action === 'review' ? ActionFlag.REVIEW : 0
}

/**
 * The decision without each fired live rule, from one evaluation's reasons: rules are evaluated
 * independently, so removing one changes only its own score and action; the rest is decided as
 * the engine decides (src/engine/decide.ts). Rules that did not fire change nothing.
 */
export function decisionsWithout (thresholds: Thresholds, reasons: readonly Reason[]): Decision[] {
  let sum = 0
  let allow = 0
  let block = 0
  let review = 0
  for (const r of reasons) {
    sum += r.score ?? 0
    if (r.action === 'allow') allow++
    else if (r.action === 'block') block++
    else if (r.action === 'review') review++
  }
  return reasons.map((r) => {
    const own = flagOf(r.action)
    let flags = 0
    if (allow - (own === ActionFlag.ALLOW ? 1 : 0) > 0) flags |= ActionFlag.ALLOW
    if (block - (own === ActionFlag.BLOCK ? 1 : 0) > 0) flags |= ActionFlag.BLOCK
    if (review - (own === ActionFlag.REVIEW ? 1 : 0) > 0) flags |= ActionFlag.REVIEW
    return decide(thresholds, clampScore(sum - (r.score ?? 0)), flags)
  })
}

function newRemoval (): RuleRemoval {
  return { changed: newTally(), to: perDecision(() => 0), fraud_caught_lost: 0, fraud_caught_gained: 0, good_blocked_lost: 0, good_blocked_gained: 0 }
}

/** Per live rule of the candidate, what removing it would change, over every record. */
export class RuleRemovalStats {
  readonly byRule = new Map<string, RuleRemoval>()
  private readonly thresholds: Thresholds

  constructor (thresholds: Thresholds) {
    this.thresholds = thresholds
  }

  /** adds one record; returns the rules whose removal changes its decision */
  add (decision: Decision, reasons: readonly Reason[], outcome: OutcomeClass, currency: string, amount: number): string[] {
    if (reasons.length === 0) return []
    const without = decisionsWithout(this.thresholds, reasons)
    const changed: string[] = []
    reasons.forEach((reason, i) => {
      const other = without[i] as Decision
      if (other === decision) return
      let removal = this.byRule.get(reason.rule)
      if (removal === undefined) {
        removal = newRemoval()
        this.byRule.set(reason.rule, removal)
      }
      addToTally(removal.changed, currency, amount)
      removal.to[other]++
      if (outcome === 'fraud') {
        if (decision === 'block') removal.fraud_caught_lost++
        else if (other === 'block') removal.fraud_caught_gained++
      } else if (outcome === 'good') {
        if (decision === 'block') removal.good_blocked_lost++
        else if (other === 'block') removal.good_blocked_gained++
      }
      changed.push(reason.rule)
    })
    return changed
  }

  of (rule: string): RuleRemoval {
    return this.byRule.get(rule) ?? newRemoval()
  }
}
