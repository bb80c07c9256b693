import type { Thresholds } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import type { ChargeSamples } from './charge-samples.js'
import type { FraudAllowedReport } from './fraud-allowed.js'
import type { Amounts } from './money.js'
import { addAmount } from './money.js'
import { OUTCOME_CLASSES } from './outcome.js'
import type { OutcomeClass } from './outcome.js'
import type { ExchangeRates } from './rates.js'
import type { ReplayCheckReport } from './replay-check.js'
import type { RuleRemoval } from './rule-removal.js'
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
    /** decision records reported: those of the period (--from, --to) */
    records: number
    /** decision records before --from: counted in velocity (they warm the counters up), not reported */
    before_period: number
    /** decision records at or after --to: ignored */
    after_period: number
    /** records older than one read before them: the input is not in time order (see docs/backtest.md) */
    out_of_order: number
    /** lines that are not decision records, with the first few reasons */
    invalid: number
    invalid_samples: Array<{ line: number, error: string }>
  }
  /** earliest and latest decision time of the records reported */
  period: { from: string | null, to: string | null }
  /** the time filter asked for (--from, --to) */
  filter: { from: string | null, to: string | null }
  outcomes: Record<OutcomeClass, Tally>
  refund_as: OutcomeClass
  /** outcomes of charges blocked live: set aside unless --count-blocked-outcomes */
  blocked_outcomes: BlockedOutcomes
  /** the analyst's exchange rates (--rates): amounts are shown in `base` */
  rates: RatesReport | null
  /** the rule sets the records were decided with */
  recorded_rulesets: Array<{ version: string, hash: string, records: number }>
  /** records decided without velocity (the store was down): replayed without it too */
  degraded_velocity: number
  /** how the counters were recounted */
  velocity: VelocityReport
  current: SideReport
  candidate: SideReport
  changes: ChangeReport
  /** fraud the candidate allows */
  fraud_allowed: FraudAllowedReport
  /**
   * records decided with the candidate's exact rule set, how many replayed identically, and how
   * many replayed to the same score and rules with another decision only because they were made
   * by an engine of the earlier precedence (`precedence`)
   */
  fidelity: ReplayCheckReport
  /** the same for the --current rule set (null without --current) */
  current_fidelity: ReplayCheckReport | null
  /** records of an older engine that replay to another decision only because of the precedence change */
  precedence: PrecedenceReport
  /** the charges behind each figure (a sample of each), for the HTML report */
  charges: ChargeSamples
  notes: string[]
}

export interface BlockedOutcomes {
  /** true with --count-blocked-outcomes */
  counted: boolean
  /** records blocked live (their recorded decision) */
  blocked: number
  /** of those, the records with a fraud or good outcome */
  with_outcome: { fraud: number, good: number }
  /** outcomes not counted (the charges count as unlabelled) */
  set_aside: number
}

export interface RatesReport extends ExchangeRates {
  /** the file they were read from */
  source: string
  /** currencies of the records the rates do not give: their amounts stay apart */
  missing: string[]
}

export interface VelocityReport {
  /** the earliest record of the input (the warm-up records before --from included) */
  history_from: string | null
  /**
   * Reported records less than the candidate's longest window after `history_from`: their
   * counters miss the charges before the input, and read lower than live.
   */
  warm_up: { until: string | null, records: number }
  /** candidate counters unknown for some records: the key path the records lack */
  unknown: Array<{ counter: string, records: number, missing: Record<string, number> }>
  /**
   * the in-process store that recounted: the sides it served (a counter both declare alike is
   * counted once), the counters, the entities and cells it held at the end, and the entities it
   * forgot at its bounds before they expired
   */
  store: { sides: Array<'current' | 'candidate'>, counters: string[], entities: number, cells: number, forgotten: number }
  limits: { max_entities: number, max_cells: number }
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
  /** what removing this rule would change (live rules of a replayed side); null otherwise */
  without: RuleRemoval | null
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

/** the block thresholds the reports tabulate (and the configured one) */
export const CURVE_TABLE = [30, 40, 50, 60, 70, 80, 90, 100] as const

export function curveThresholds (configured: number | undefined): number[] {
  return [...new Set([...CURVE_TABLE, ...(configured === undefined ? [] : [configured])])].sort((a, b) => a - b)
}

function ruleReports (rules: ReadonlyMap<string, RuleTally>, order: readonly string[], totalFraud: number, without?: (rule: string) => RuleRemoval): RuleReport[] {
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
      recall: ratio(fraud, totalFraud),
      without: without === undefined ? null : without(rule)
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
  /** what removing each live rule would change (replayed sides) */
  without?: (rule: string) => RuleRemoval
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
    rules: ruleReports(stats.rules, meta.liveRules, totalFraud, meta.without),
    shadow_rules: ruleReports(stats.shadowRules, meta.shadowRules, totalFraud),
    score_histogram: stats.scores,
    curve: stats.curve ? curveOf(stats, totalFraud, totalGood) : null
  }
}

export { DECISIONS }

/**
 * The selection bias of blocked charges, in words: the terminal and HTML reports show it above
 * the fraud figures. Null when no record was blocked live.
 */
export function blockedOutcomesNote (b: BlockedOutcomes): string | null {
  if (b.blocked === 0) return null
  const n = (v: number): string => v.toLocaleString('en-US')
  const labelled = b.with_outcome.fraud + b.with_outcome.good
  const which = `${n(b.with_outcome.fraud)} fraud, ${n(b.with_outcome.good)} good`
  if (b.counted) {
    return `Outcomes of charges blocked live are counted (--count-blocked-outcomes): ${n(labelled)} of the ${n(b.blocked)} blocked charges have one (${which}). ` +
      'A blocked charge never went through, so no payment, refund or chargeback labels it: these outcomes were reported by someone, mostly to confirm a block, and make the precision of blocks look better than it is.'
  }
  return `Selection bias: ${n(b.blocked)} charges were blocked live. They never went through, so no payment, refund or chargeback can label them; ` +
    `${labelled === 0 ? 'none has an outcome' : `only ${n(labelled)} have an outcome someone reported (${which}), mostly to confirm a block`}. ` +
    'Counted, those outcomes would make the current blocks look right by construction (100% precision). They are set aside: blocked charges count as unlabelled, ' +
    'and fraud caught, good charges blocked, precision and recall are measured on the charges that went through. What the candidate would do with the charges blocked live is in the changes (block -> allow, block -> review). ' +
    '--count-blocked-outcomes counts them when every blocked charge gets an outcome (a team that reviews them all).'
}
