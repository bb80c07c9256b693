import type { Reason } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import type { Amounts } from './money.js'
import { addAmount } from './money.js'
import { OUTCOME_CLASSES } from './outcome.js'
import type { OutcomeClass } from './outcome.js'

/** A number of charges and what they amount to, per currency. */
export interface Tally {
  count: number
  amounts: Amounts
}

export const DECISIONS: readonly Decision[] = ['allow', 'review', 'block']
export const SCORE_BINS = 101

export function newTally (): Tally {
  return { count: 0, amounts: {} }
}

export function addToTally (tally: Tally, currency: string, amount: number): void {
  tally.count++
  addAmount(tally.amounts, currency, amount)
}

export function perOutcome<T> (make: () => T): Record<OutcomeClass, T> {
  return { fraud: make(), good: make(), unlabelled: make() }
}

export function perDecision<T> (make: () => T): Record<Decision, T> {
  return { allow: make(), review: make(), block: make() }
}

/** What one side (current or candidate) decided for one charge. */
export interface SideDecision {
  decision: Decision
  score: number
  /** live rules that fired */
  fired: readonly string[]
  /** shadow rules that fired */
  shadowFired: readonly string[]
  /**
   * the strongest live action that fired (allow > block > review), null when none did; undefined
   * when unknown (recorded decisions do not say), which leaves this side without a threshold curve
   */
  action: Decision | null | undefined
  /** the fired live rules' reasons (replayed sides only): what a decision without each would be */
  reasons?: readonly Reason[]
}

export interface RuleTally {
  hits: Tally
  byOutcome: Record<OutcomeClass, Tally>
}

function newRuleTally (): RuleTally {
  return { hits: newTally(), byOutcome: perOutcome(newTally) }
}

/**
 * Everything a backtest keeps about one side, in memory independent of the number of records:
 * decisions by outcome, rule hits, the score histogram by outcome, and what the threshold curve
 * needs (charges a block action blocked, and the score histogram of the charges the block threshold
 * can block: those of no action or a review action, since a review action never lowers a score at
 * the block threshold; an allow action allows whatever the score).
 */
export class SideStats {
  readonly decisions: Record<Decision, Record<OutcomeClass, Tally>> = perDecision(() => perOutcome(newTally))
  readonly rules = new Map<string, RuleTally>()
  readonly shadowRules = new Map<string, RuleTally>()
  readonly scores: Record<OutcomeClass, number[]> = perOutcome(() => new Array<number>(SCORE_BINS).fill(0))
  readonly actionBlocked: Record<OutcomeClass, Tally> = perOutcome(newTally)
  readonly scoreDecided: Record<OutcomeClass, { counts: number[], amounts: Record<string, number[]> }> =
    perOutcome(() => ({ counts: new Array<number>(SCORE_BINS).fill(0), amounts: {} }))

  /** false as soon as one charge's deciding action is unknown */
  curve = true

  add (d: SideDecision, outcome: OutcomeClass, currency: string, amount: number): void {
    addToTally(this.decisions[d.decision][outcome], currency, amount)
    const bin = Math.max(0, Math.min(SCORE_BINS - 1, Math.round(d.score)))
    ;(this.scores[outcome])[bin] = (this.scores[outcome][bin] ?? 0) + 1
    for (const id of d.fired) this.hit(this.rules, id, outcome, currency, amount)
    for (const id of d.shadowFired) this.hit(this.shadowRules, id, outcome, currency, amount)

    if (d.action === undefined) {
      this.curve = false
    } else if (d.action === 'block') {
      addToTally(this.actionBlocked[outcome], currency, amount)
    } else if (d.action === null || d.action === 'review') {
      const hist = this.scoreDecided[outcome]
      hist.counts[bin] = (hist.counts[bin] ?? 0) + 1
      const amounts = (hist.amounts[currency] ??= new Array<number>(SCORE_BINS).fill(0))
      amounts[bin] = (amounts[bin] ?? 0) + amount
    }
  }

  private hit (map: Map<string, RuleTally>, id: string, outcome: OutcomeClass, currency: string, amount: number): void {
    let tally = map.get(id)
    if (tally === undefined) {
      tally = newRuleTally()
      map.set(id, tally)
    }
    addToTally(tally.hits, currency, amount)
    addToTally(tally.byOutcome[outcome], currency, amount)
  }

  /** charges of an outcome class, whatever the decision */
  total (outcome: OutcomeClass): Tally {
    const out = newTally()
    for (const decision of Object.values(this.decisions)) {
      out.count += decision[outcome].count
      for (const [c, v] of Object.entries(decision[outcome].amounts)) addAmount(out.amounts, c, v)
    }
    return out
  }
}

export { OUTCOME_CLASSES }
