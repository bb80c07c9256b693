import type { DecisionRecord } from '../decision-log/record.js'
import type { VelocitySignals } from '../schemas/signals.js'
import type { SideDecision } from './stats.js'

/**
 * Why a record decided with the candidate's exact rule set replays differently:
 * - `warm_up`: counters that differ all have a window reaching back before the first record of
 *   the input: the history they missed is not in the input;
 * - `counters`: a recounted counter differs from the recorded value outside the warm-up (a charge
 *   the replay does not see as the live store did: see docs/backtest.md);
 * - `other`: the counters are the recorded ones, the decision still differs (another engine
 *   version, another hash key: what a replay check is for).
 * A record of an older engine that replays to the same score and rules with another decision only
 * because of the engine's precedence change (src/engine/engine-version.ts) is not a difference: it
 * is counted apart (`precedence`).
 */
export const DifferenceReason = {
  WARM_UP: 'warm_up',
  COUNTERS: 'counters',
  OTHER: 'other'
} as const
export type DifferenceReason = typeof DifferenceReason[keyof typeof DifferenceReason]

export interface ReplayMismatch {
  decision_id: string
  recorded: string
  replayed: string
  reason: DifferenceReason
  /** counters whose recounted value differs from the recorded one (null: absent) */
  counters: Record<string, { recorded: number | null, replayed: number | null }>
}

export interface ReplayCheckReport {
  /** records decided with the candidate's exact rule set (same hash) */
  same_ruleset: number
  /** of those, the records replayed to the same decision, score and fired rules */
  reproduced: number
  /**
   * of those, the records of an older engine replayed to the same score and fired rules with
   * another decision only because of the precedence change
   */
  precedence: number
  /** the records that differ, by reason */
  differences: Record<DifferenceReason, number>
  /** the first few that differ (a few of each reason) */
  mismatches: ReplayMismatch[]
  /**
   * the recounted counters compared with the recorded ones, on the records of the candidate's rule
   * set decided with velocity: records compared, and those whose every counter is the recorded value
   */
  counters: { records: number, identical: number, warm_up: number }
}

const MAX_MISMATCHES_PER_REASON = 5

function sameList (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/** The replay check of records decided with the candidate's rule set. */
export class ReplayCheck {
  private readonly report: ReplayCheckReport = {
    same_ruleset: 0,
    reproduced: 0,
    precedence: 0,
    differences: { warm_up: 0, counters: 0, other: 0 },
    mismatches: [],
    counters: { records: 0, identical: 0, warm_up: 0 }
  }

  private readonly shown: Record<DifferenceReason, number> = { warm_up: 0, counters: 0, other: 0 }
  private readonly windowMs: ReadonlyMap<string, number>

  /** `windowMs`: the candidate's counters and their windows */
  constructor (windowMs: ReadonlyMap<string, number>) {
    this.windowMs = windowMs
  }

  /**
   * One record of the candidate's rule set: `recordedVelocity` its counters as recorded,
   * `replayedVelocity` as recounted (undefined when it was decided without velocity, not
   * recounted); `historyMs` is how far back the input reaches before it; `precedenceOnly` when the
   * recording engine's precedence, applied to the replay's score and actions, gives the recorded
   * decision. Returns false when it replays differently.
   */
  add (record: DecisionRecord, after: SideDecision, recordedVelocity: VelocitySignals | undefined, replayedVelocity: VelocitySignals | undefined, historyMs: number, precedenceOnly = false): boolean {
    const r = this.report
    r.same_ruleset++
    const counters: ReplayMismatch['counters'] = {}
    let differ = 0
    let warmUp = true
    if (replayedVelocity !== undefined) {
      const recorded = recordedVelocity ?? {}
      for (const [name, windowMs] of this.windowMs) {
        const a = recorded[name]
        const b = replayedVelocity[name]
        if (a === b) continue
        differ++
        counters[name] = { recorded: typeof a === 'number' ? a : null, replayed: b ?? null }
        if (historyMs >= windowMs) warmUp = false
      }
      r.counters.records++
      if (differ === 0) r.counters.identical++
      else if (warmUp) r.counters.warm_up++
    }
    if (after.score === record.score && sameList(after.fired, record.fired)) {
      if (after.decision === record.decision) {
        r.reproduced++
        return true
      }
      if (precedenceOnly) {
        r.precedence++
        return true
      }
    }
    const reason = differ === 0 ? DifferenceReason.OTHER : warmUp ? DifferenceReason.WARM_UP : DifferenceReason.COUNTERS
    r.differences[reason]++
    if (this.shown[reason] < MAX_MISMATCHES_PER_REASON) {
      this.shown[reason]++
      r.mismatches.push({
        decision_id: record.decision_id,
        recorded: `${record.decision} ${record.score} [${record.fired.join(', ')}]`,
        replayed: `${after.decision} ${after.score} [${after.fired.join(', ')}]`,
        reason,
        counters
      })
    }
    return false
  }

  result (): ReplayCheckReport {
    return this.report
  }
}
