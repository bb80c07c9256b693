import { classifyOutcome, OutcomeClass } from '../backtest/outcome.js'
import type { DecisionRecord, RolloutSide } from '../decision-log/record.js'
import type { Decision } from '../schemas/decision.js'

const DECISIONS: readonly Decision[] = ['allow', 'review', 'block']

/** What one rule set of a rollout decided over the compared charges, by outcome. */
export interface SetComparison {
  version: string
  hash: string
  decisions: Record<Decision, number>
  /** labelled fraud it blocked (caught), sent to review, allowed (missed) */
  fraud_caught: number
  fraud_reviewed: number
  fraud_missed: number
  /** labelled good charges it blocked, sent to review */
  good_blocked: number
  good_reviewed: number
  /** fraud blocked / labelled charges blocked; null without labelled blocks */
  precision: number | null
  /** fraud blocked / labelled fraud; null without labelled fraud */
  recall: number | null
}

/** The live set and one challenger over the recorded charges both decided. */
export interface PairComparison {
  live: { version: string, hash: string }
  challenger: { version: string, hash: string }
  /** charges recorded with both decisions */
  charges: number
  /** charges by the rollout's mode when they were decided */
  modes: { shadow: number, enforce: number }
  /** which set decided them (the challenger only in enforce mode, for its share) */
  decided_by: { live: number, challenger: number }
  /** charges both sets decided alike */
  agreed: number
  /** agreed / charges */
  agreement: number | null
  /** live decision -> challenger decision -> charges */
  matrix: Record<Decision, Record<Decision, number>>
  /** the charges' outcomes as backtests count them (src/backtest/outcome.ts) */
  outcomes: Record<OutcomeClass, number>
  sets: { live: SetComparison, challenger: SetComparison }
}

export interface RolloutComparison {
  /** records read */
  records: number
  /** of which decided with a challenger beside the live set */
  compared: number
  /** earliest and latest time of a compared record */
  period: { from: string | null, to: string | null }
  refund_as: OutcomeClass
  /** one per (live set, challenger) pair, the most charges first */
  pairs: PairComparison[]
}

interface SetTally {
  version: string
  hash: string
  decisions: Record<Decision, Record<OutcomeClass, number>>
}

interface PairTally {
  live: SetTally
  challenger: SetTally
  modes: { shadow: number, enforce: number }
  decidedBy: { live: number, challenger: number }
  matrix: Record<Decision, Record<Decision, number>>
}

function perDecision<T> (make: () => T): Record<Decision, T> {
  return { allow: make(), review: make(), block: make() }
}

function perOutcome (): Record<OutcomeClass, number> {
  return { fraud: 0, good: 0, unlabelled: 0 }
}

function setTally (side: RolloutSide): SetTally {
  return { version: side.version, hash: side.hash, decisions: perDecision(perOutcome) }
}

function ratio (num: number, den: number): number | null {
  return den === 0 ? null : num / den
}

function setReport (tally: SetTally): SetComparison {
  const d = tally.decisions
  const fraud = d.allow.fraud + d.review.fraud + d.block.fraud
  return {
    version: tally.version,
    hash: tally.hash,
    decisions: { allow: sum(d.allow), review: sum(d.review), block: sum(d.block) },
    fraud_caught: d.block.fraud,
    fraud_reviewed: d.review.fraud,
    fraud_missed: d.allow.fraud,
    good_blocked: d.block.good,
    good_reviewed: d.review.good,
    precision: ratio(d.block.fraud, d.block.fraud + d.block.good),
    recall: ratio(d.block.fraud, fraud)
  }
}

function sum (counts: Record<OutcomeClass, number>): number {
  return counts.fraud + counts.good + counts.unlabelled
}

function isDecision (value: unknown): value is Decision {
  return value === 'allow' || value === 'review' || value === 'block'
}

function isSide (value: unknown): value is RolloutSide {
  const side = value as Partial<RolloutSide> | null
  return typeof side === 'object' && side !== null && typeof side.version === 'string' && typeof side.hash === 'string' && isDecision(side.decision)
}

/**
 * Compares what the live set and a challenger decided on the same recorded charges (the records'
 * `rollout`, src/decision-log/record.ts): agreement, the live -> challenger decision matrix, and on
 * labelled outcomes the fraud each caught and the good charges each blocked. Memory holds one tally
 * per pair of rule sets, whatever the number of records; records without a rollout are counted and
 * skipped. The same comparison serves GET /v1/rules/challenger/comparison and
 * `riskgate backtest challenger`.
 */
export function createRolloutComparison (refundAs: OutcomeClass = OutcomeClass.UNLABELLED): { add: (record: DecisionRecord) => void, report: () => RolloutComparison } {
  const pairs = new Map<string, PairTally>()
  let records = 0
  let compared = 0
  let from: string | null = null
  let to: string | null = null
  return {
    add (record) {
      records++
      const rollout = record.rollout
      if (rollout === undefined || !isSide(rollout.live) || !isSide(rollout.challenger)) return
      compared++
      if (from === null || record.at < from) from = record.at
      if (to === null || record.at > to) to = record.at
      const id = `${rollout.live.hash} ${rollout.challenger.hash}`
      let pair = pairs.get(id)
      if (pair === undefined) {
        pair = { live: setTally(rollout.live), challenger: setTally(rollout.challenger), modes: { shadow: 0, enforce: 0 }, decidedBy: { live: 0, challenger: 0 }, matrix: perDecision(() => perDecision(() => 0)) }
        pairs.set(id, pair)
      }
      const outcome = classifyOutcome(record.outcome, refundAs)
      pair.modes[rollout.mode === 'enforce' ? 'enforce' : 'shadow']++
      pair.decidedBy[rollout.decided_by === 'challenger' ? 'challenger' : 'live']++
      pair.matrix[rollout.live.decision][rollout.challenger.decision]++
      pair.live.decisions[rollout.live.decision][outcome]++
      pair.challenger.decisions[rollout.challenger.decision][outcome]++
    },
    report () {
      const reports = [...pairs.values()].map((pair): PairComparison => {
        let charges = 0
        let agreed = 0
        for (const l of DECISIONS) {
          for (const c of DECISIONS) {
            charges += pair.matrix[l][c]
            if (l === c) agreed += pair.matrix[l][c]
          }
        }
        const outcomes = perOutcome()
        for (const d of DECISIONS) for (const o of [OutcomeClass.FRAUD, OutcomeClass.GOOD, OutcomeClass.UNLABELLED]) outcomes[o] += pair.live.decisions[d][o]
        return {
          live: { version: pair.live.version, hash: pair.live.hash },
          challenger: { version: pair.challenger.version, hash: pair.challenger.hash },
          charges,
          modes: { ...pair.modes },
          decided_by: { ...pair.decidedBy },
          agreed,
          agreement: ratio(agreed, charges),
          matrix: { allow: { ...pair.matrix.allow }, review: { ...pair.matrix.review }, block: { ...pair.matrix.block } },
          outcomes,
          sets: { live: setReport(pair.live), challenger: setReport(pair.challenger) }
        }
      }).sort((a, b) => b.charges - a.charges)
      return { records, compared, period: { from, to }, refund_as: refundAs, pairs: reports }
    }
  }
}
