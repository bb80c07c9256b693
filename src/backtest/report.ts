import type { Thresholds } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import type { Amounts } from './money.js'
import { addAmount } from './money.js'
import { OUTCOME_CLASSES } from './outcome.js'
import type { OutcomeClass } from './outcome.js'
import { DECISIONS, newTally, SCORE_BINS } from './stats.js'
import type { RuleTally, SideStats, Tally } from './stats.js'

/** The result of a backtest: plain JSON (`--json`), and what the terminal and HTML reports show. */
export interface BacktestReport {
  generated_at: string
  duration_ms: number
  input: {
    /** file name or `stdin` */
    source: string
    bytes: number
    records: number
    /** lines that are not decision records, with the first few reasons */
    invalid: number
    invalid_samples: Array<{ line: number, error: string }>
  }
  /** earliest and latest recorded decision time */
  period: { from: string | null, to: string | null }
  outcomes: Record<OutcomeClass, Tally>
  refund_as: OutcomeClass
  /** the rule sets the records were decided with */
  recorded_rulesets: Array<{ version: string, hash: string, records: number }>
  /** records decided without velocity (the store was down): replayed without it too */
  degraded_velocity: number
  current: SideReport
  candidate: SideReport
  changes: ChangeReport
  /**
   * records decided with the candidate's exact rule set, how many replayed identically, and how
   * many replayed to the same score and rules with another decision only because they were made
   * by an engine of the earlier precedence (`precedence`)
   */
  fidelity: { same_ruleset: number, reproduced: number, precedence: number, mismatches: Array<{ decision_id: string, recorded: string, replayed: string }> }
  precedence: PrecedenceReport
  notes: string[]
}

export interface SideReport {
  label: 'current' | 'candidate'
  /** recorded: the decisions as made live; replayed: evaluated now from the recorded features */
  source: 'recorded' | 'replayed'
  ruleset: { version: string, hash: string, dir?: string } | null
  thresholds: Thresholds | null
  decisions: Record<Decision, DecisionCell>
  metrics: SideMetrics
  rules: RuleReport[]
  shadow_rules: RuleReport[]
  /** charges per score 0..100, by outcome */
  score_histogram: Record<OutcomeClass, number[]>
  /** fraud caught and good charges blocked for every block threshold 0..100 (replayed sides) */
  curve: CurvePoint[] | null
}

export interface DecisionCell extends Tally {
  by_outcome: Record<OutcomeClass, Tally>
}

export interface SideMetrics {
  fraud_caught: Tally
  fraud_reviewed: Tally
  fraud_missed: Tally
  good_blocked: Tally
  good_reviewed: Tally
  /** fraud blocked / all labelled charges blocked; null without labelled blocks */
  precision: number | null
  /** fraud blocked / all fraud; null without fraud */
  recall: number | null
}

export interface RuleReport {
  rule: string
  hits: Tally
  fraud: number
  good: number
  unlabelled: number
  /** fraud hits / labelled hits */
  precision: number | null
  /** fraud hits / all fraud */
  recall: number | null
}

export interface CurvePoint {
  threshold: number
  fraud_caught: number
  fraud_rate: number | null
  good_blocked: number
  good_rate: number | null
  fraud_amounts: Amounts
  good_amounts: Amounts
}

export interface ChangeReport {
  /** current decision -> candidate decision */
  matrix: Record<Decision, Record<Decision, DecisionCell>>
  changed: Tally
  examples: ChangeExample[]
}

export interface ChangeExample {
  decision_id: string
  charge_id: string
  at: string
  amount: number
  currency: string
  outcome: OutcomeClass
  current: { decision: Decision, score: number, fired: string[] }
  candidate: { decision: Decision, score: number, fired: string[] }
}

/**
 * Records made by an older engine (src/engine/engine-version.ts) whose candidate decision differs
 * from the recorded one only because of the precedence change: the recording engine's precedence,
 * applied to the candidate's score and actions, gives the recorded decision.
 */
export interface PrecedenceReport {
  /** the engine version of this backtest */
  engine: number
  /** records made by an older engine version */
  older_engine_records: number
  changed: Tally
  /** the first of them (25 at most) */
  examples: PrecedenceExample[]
}

export interface PrecedenceExample {
  decision_id: string
  charge_id: string
  at: string
  amount: number
  currency: string
  /** the engine version that recorded it */
  engine: number
  recorded: Decision
  /** the candidate's decision today */
  replayed: Decision
  /** the candidate's score and fired live rules */
  score: number
  fired: string[]
}

export function ratio (num: number, den: number): number | null {
  return den === 0 ? null : num / den
}

function sumTallies (tallies: readonly Tally[]): Tally {
  const out = newTally()
  for (const t of tallies) {
    out.count += t.count
    for (const [c, v] of Object.entries(t.amounts)) addAmount(out.amounts, c, v)
  }
  return out
}

export function decisionCell (byOutcome: Record<OutcomeClass, Tally>): DecisionCell {
  return { ...sumTallies(OUTCOME_CLASSES.map((o) => byOutcome[o])), by_outcome: byOutcome }
}

function ruleReports (rules: ReadonlyMap<string, RuleTally>, order: readonly string[], totalFraud: number): RuleReport[] {
  const ids = [...new Set([...order, ...rules.keys()])]
  return ids.map((rule) => {
    const tally = rules.get(rule)
    const fraud = tally?.byOutcome.fraud.count ?? 0
    const good = tally?.byOutcome.good.count ?? 0
    return {
      rule,
      hits: tally?.hits ?? newTally(),
      fraud,
      good,
      unlabelled: tally?.byOutcome.unlabelled.count ?? 0,
      precision: ratio(fraud, fraud + good),
      recall: ratio(fraud, totalFraud)
    }
  })
}

function curveOf (stats: SideStats, totalFraud: number, totalGood: number): CurvePoint[] {
  const points: CurvePoint[] = []
  const fraud = { count: stats.actionBlocked.fraud.count, amounts: { ...stats.actionBlocked.fraud.amounts } }
  const good = { count: stats.actionBlocked.good.count, amounts: { ...stats.actionBlocked.good.amounts } }
  // from the highest threshold down: a charge with score s is blocked by every threshold <= s
  for (let t = SCORE_BINS - 1; t >= 0; t--) {
    fraud.count += stats.scoreDecided.fraud.counts[t] ?? 0
    good.count += stats.scoreDecided.good.counts[t] ?? 0
    for (const [c, bins] of Object.entries(stats.scoreDecided.fraud.amounts)) addAmount(fraud.amounts, c, bins[t] ?? 0)
    for (const [c, bins] of Object.entries(stats.scoreDecided.good.amounts)) addAmount(good.amounts, c, bins[t] ?? 0)
    points.push({
      threshold: t,
      fraud_caught: fraud.count,
      fraud_rate: ratio(fraud.count, totalFraud),
      good_blocked: good.count,
      good_rate: ratio(good.count, totalGood),
      fraud_amounts: { ...fraud.amounts },
      good_amounts: { ...good.amounts }
    })
  }
  return points.reverse()
}

export interface SideMeta {
  label: SideReport['label']
  source: SideReport['source']
  ruleset: SideReport['ruleset']
  thresholds: Thresholds | null
  /** rule ids in rule-file order (rules that never fired are listed too) */
  liveRules: readonly string[]
  shadowRules: readonly string[]
}

export function sideReport (stats: SideStats, meta: SideMeta): SideReport {
  const decisions = { allow: decisionCell(stats.decisions.allow), review: decisionCell(stats.decisions.review), block: decisionCell(stats.decisions.block) }
  const totalFraud = stats.total('fraud').count
  const totalGood = stats.total('good').count
  const caught = stats.decisions.block.fraud
  const goodBlocked = stats.decisions.block.good
  return {
    label: meta.label,
    source: meta.source,
    ruleset: meta.ruleset,
    thresholds: meta.thresholds,
    decisions,
    metrics: {
      fraud_caught: caught,
      fraud_reviewed: stats.decisions.review.fraud,
      fraud_missed: stats.decisions.allow.fraud,
      good_blocked: goodBlocked,
      good_reviewed: stats.decisions.review.good,
      precision: ratio(caught.count, caught.count + goodBlocked.count),
      recall: ratio(caught.count, totalFraud)
    },
    rules: ruleReports(stats.rules, meta.liveRules, totalFraud),
    shadow_rules: ruleReports(stats.shadowRules, meta.shadowRules, totalFraud),
    score_histogram: stats.scores,
    curve: stats.curve ? curveOf(stats, totalFraud, totalGood) : null
  }
}

export { DECISIONS }
