import type { DecisionRecord } from '../decision-log/record.js'
import { evaluate } from '../engine/evaluate.js'
import type { Evaluation } from '../engine/ruleset.js'
import { RuleMode } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import { readNdjsonLines } from './ndjson.js'
import { classifyOutcome, OutcomeClass } from './outcome.js'
import { parseRecordLine } from './record-input.js'
import type { ReplayRuleSet } from './replay-ruleset.js'
import { decisionCell, sideReport } from './report.js'
import type { BacktestReport, ChangeExample, SideMeta } from './report.js'
import { addToTally, newTally, perDecision, perOutcome, SideStats } from './stats.js'
import type { SideDecision, Tally } from './stats.js'

export interface BacktestSide {
  ruleSet: ReplayRuleSet
  /** the folder it was loaded from, for the report */
  dir?: string
}

export interface BacktestOptions {
  /** NDJSON DecisionRecords (a file stream or stdin) */
  input: AsyncIterable<Buffer | string>
  /** how the input is named in the report */
  source: string
  candidate: BacktestSide
  /** replay this set as the current one; absent: the recorded decisions are the current ones */
  current?: BacktestSide
  refundAs?: OutcomeClass
  /** changed decisions kept as examples (default 25) */
  maxExamples?: number
  /** called after every chunk of input */
  onProgress?: (progress: { bytes: number, records: number }) => void
  now?: () => number
  /** notes of the caller, added to the report's */
  notes?: string[]
}

const MAX_INVALID_SAMPLES = 10
const MAX_MISMATCHES = 10

function decidingAction (evaluation: Evaluation): Decision | null {
  let actions = 0
  for (const reason of evaluation.reasons) {
    if (reason.action === 'allow') actions |= 1
    else if (reason.action === 'block') actions |= 2
    else if (reason.action === 'review') actions |= 4
  }
  return (actions & 1) !== 0 ? 'allow' : (actions & 2) !== 0 ? 'block' : (actions & 4) !== 0 ? 'review' : null
}

function replayed (side: BacktestSide, record: DecisionRecord): SideDecision {
  const evaluation = evaluate(side.ruleSet.replay, record.features)
  return {
    decision: evaluation.decision,
    score: evaluation.score,
    fired: evaluation.reasons.map((r) => r.rule),
    shadowFired: evaluation.shadow.reasons.map((r) => r.rule),
    action: decidingAction(evaluation)
  }
}

function recorded (record: DecisionRecord): SideDecision {
  return {
    decision: record.decision,
    score: record.score,
    fired: record.fired,
    shadowFired: Array.isArray(record.shadow?.fired) ? record.shadow.fired : [],
    action: undefined
  }
}

function sameList (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function metaOf (label: SideMeta['label'], side: BacktestSide | undefined): SideMeta {
  if (side === undefined) return { label, source: 'recorded', ruleset: null, thresholds: null, liveRules: [], shadowRules: [] }
  const rs = side.ruleSet.original
  return {
    label,
    source: 'replayed',
    ruleset: side.dir === undefined ? { version: rs.version, hash: rs.hash } : { version: rs.version, hash: rs.hash, dir: side.dir },
    thresholds: { ...rs.thresholds },
    liveRules: rs.rules.filter((r) => r.mode === RuleMode.LIVE).map((r) => r.id),
    shadowRules: rs.rules.filter((r) => r.mode === RuleMode.SHADOW).map((r) => r.id)
  }
}

/**
 * Replays recorded decisions through a candidate rule set (and the current one, or the recorded
 * decisions) with the live engine, streaming: memory holds the statistics, not the records.
 */
export async function runBacktest (options: BacktestOptions): Promise<BacktestReport> {
  const now = options.now ?? Date.now
  const started = now()
  const refundAs = options.refundAs ?? OutcomeClass.UNLABELLED
  const maxExamples = options.maxExamples ?? 25
  const { candidate, current } = options

  const currentStats = new SideStats()
  const candidateStats = new SideStats()
  const outcomes = perOutcome(newTally)
  const matrix = perDecision(() => perDecision(() => perOutcome(newTally)))
  const changed: Tally = newTally()
  const examples: ChangeExample[] = []
  const rulesets = new Map<string, { version: string, hash: string, records: number }>()
  const invalidSamples: Array<{ line: number, error: string }> = []
  const mismatches: BacktestReport['fidelity']['mismatches'] = []
  const candidateCounters = candidate.ruleSet.original.velocity.map((s) => s.name)
  const missingCounters = new Map<string, number>()
  let invalid = 0
  let records = 0
  let degraded = 0
  let sameRuleset = 0
  let reproduced = 0
  let from: string | null = null
  let to: string | null = null

  const onLine = (line: string, lineNo: number): void => {
    const parsed = parseRecordLine(line)
    if (!parsed.ok) {
      invalid++
      if (invalidSamples.length < MAX_INVALID_SAMPLES) invalidSamples.push({ line: lineNo, error: parsed.error })
      return
    }
    const record = parsed.record
    records++
    const outcome = classifyOutcome(record.outcome, refundAs)
    const { currency, amount } = record
    addToTally(outcomes[outcome], currency, amount)
    if (typeof record.at === 'string') {
      if (from === null || record.at < from) from = record.at
      if (to === null || record.at > to) to = record.at
    }
    const seen = rulesets.get(record.ruleset.hash)
    if (seen === undefined) rulesets.set(record.ruleset.hash, { version: record.ruleset.version, hash: record.ruleset.hash, records: 1 })
    else seen.records++
    const velocity = record.features.velocity
    if (velocity === undefined || velocity === null) {
      degraded++
    } else {
      for (const name of candidateCounters) {
        if (!(name in velocity)) missingCounters.set(name, (missingCounters.get(name) ?? 0) + 1)
      }
    }

    const before = current === undefined ? recorded(record) : replayed(current, record)
    const after = replayed(candidate, record)
    currentStats.add(before, outcome, currency, amount)
    candidateStats.add(after, outcome, currency, amount)

    if (record.ruleset.hash === candidate.ruleSet.original.hash) {
      sameRuleset++
      if (after.decision === record.decision && after.score === record.score && sameList(after.fired, record.fired)) reproduced++
      else if (mismatches.length < MAX_MISMATCHES) {
        mismatches.push({
          decision_id: record.decision_id,
          recorded: `${record.decision} ${record.score} [${record.fired.join(', ')}]`,
          replayed: `${after.decision} ${after.score} [${after.fired.join(', ')}]`
        })
      }
    }

    addToTally(matrix[before.decision][after.decision][outcome], currency, amount)
    if (before.decision !== after.decision) {
      addToTally(changed, currency, amount)
      if (examples.length < maxExamples) {
        examples.push({
          decision_id: record.decision_id,
          charge_id: record.charge_id,
          at: record.at,
          amount,
          currency,
          outcome,
          current: { decision: before.decision, score: before.score, fired: [...before.fired] },
          candidate: { decision: after.decision, score: after.score, fired: [...after.fired] }
        })
      }
    }
  }

  const stats = await readNdjsonLines(options.input, onLine, (s) => options.onProgress?.({ bytes: s.bytes, records }))

  const notes = [
    'Velocity values are replayed as recorded: the candidate\'s counters are not recounted from history, so a counter\'s new window or threshold only changes what rules compare it with.',
    current === undefined
      ? 'Current: the decisions as they were recorded, each with the rule set it was decided with.'
      : 'Current: the --current rule set, replayed like the candidate.',
    ...(rulesets.size > 1 || (rulesets.size === 1 && !rulesets.has(candidate.ruleSet.original.hash))
      ? ['Records decided with another rule set than the candidate are replayed all the same: the engine sees the same recorded features.']
      : []),
    ...(degraded > 0 ? [`${degraded} records were decided without velocity (the store was unavailable): replayed without it, rules reading velocity are skipped for them.`] : []),
    ...[...missingCounters].map(([name, n]) => `velocity.${name} is absent from ${n} records (it was not declared when they were decided): candidate rules reading it are skipped for them.`),
    ...candidate.ruleSet.inexact.map((r) => `Rule ${r.rule} reads ${r.paths.join(', ')} other than by equality or list membership: recorded identifiers are keyed hashes, so it cannot replay exactly.`),
    `Outcomes: fraud, chargeback and review_rejected count as fraud; legit and review_approved as good; refund as ${refundAs}; gateway_denied unlabelled.`,
    ...(options.notes ?? [])
  ]

  const matrixReport = perDecision(() => perDecision(() => decisionCell(perOutcome(newTally))))
  for (const b of ['allow', 'review', 'block'] as const) {
    for (const a of ['allow', 'review', 'block'] as const) matrixReport[b][a] = decisionCell(matrix[b][a])
  }
  return {
    generated_at: new Date(now()).toISOString(),
    duration_ms: now() - started,
    input: { source: options.source, bytes: stats.bytes, records, invalid, invalid_samples: invalidSamples },
    period: { from, to },
    outcomes,
    refund_as: refundAs,
    recorded_rulesets: [...rulesets.values()].sort((x, y) => y.records - x.records),
    degraded_velocity: degraded,
    current: sideReport(currentStats, metaOf('current', current)),
    candidate: sideReport(candidateStats, metaOf('candidate', candidate)),
    changes: { matrix: matrixReport, changed, examples },
    fidelity: { same_ruleset: sameRuleset, reproduced, mismatches },
    notes
  }
}
