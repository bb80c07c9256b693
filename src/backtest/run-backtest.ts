import type { DecisionRecord } from '../decision-log/record.js'
import { actionFlagsOf, decideAs } from '../engine/decide.js'
import { ENGINE_VERSION, EngineVersion } from '../engine/engine-version.js'
import { evaluate } from '../engine/evaluate.js'
import type { Evaluation } from '../engine/ruleset.js'
import { RuleMode } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import { readNdjsonLines } from './ndjson.js'
import { classifyOutcome, OutcomeClass } from './outcome.js'
import { parseRecordLine } from './record-input.js'
import type { ReplayRuleSet } from './replay-ruleset.js'
import { decisionCell, sideReport } from './report.js'
import type { BacktestReport, ChangeExample, PrecedenceExample, SideMeta } from './report.js'
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
const MAX_PRECEDENCE_EXAMPLES = 25

/** the strongest live action that fired (allow > block > review), null when none did */
function strongestAction (actions: number): Decision | null {
  return (actions & 1) !== 0 ? 'allow' : (actions & 2) !== 0 ? 'block' : (actions & 4) !== 0 ? 'review' : null
}

interface Replayed extends SideDecision {
  /** the live action flags of the evaluation (src/engine/decide.ts) */
  actions: number
}

function replayed (side: BacktestSide, record: DecisionRecord): Replayed {
  const evaluation: Evaluation = evaluate(side.ruleSet.replay, record.features)
  const actions = actionFlagsOf(evaluation.reasons)
  return {
    decision: evaluation.decision,
    score: evaluation.score,
    fired: evaluation.reasons.map((r) => r.rule),
    shadowFired: evaluation.shadow.reasons.map((r) => r.rule),
    action: strongestAction(actions),
    actions
  }
}

/** the engine version that made a record: one without it predates its recording */
function engineOf (record: DecisionRecord): number {
  return typeof record.engine === 'number' ? record.engine : EngineVersion.FIRST
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
  const candidateThresholds = candidate.ruleSet.replay.thresholds
  const precedenceChanged: Tally = newTally()
  const precedenceExamples: PrecedenceExample[] = []
  let olderEngine = 0
  let precedenceFidelity = 0
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

    // a record of an older engine: would that engine have decided the replay as recorded? Then a
    // different decision now is the engine's precedence change alone, not the rules'
    const engine = engineOf(record)
    const precedenceOnly = engine < ENGINE_VERSION && after.decision !== record.decision &&
      decideAs(engine, candidateThresholds, after.score, after.actions) === record.decision
    if (engine < ENGINE_VERSION) olderEngine++
    if (precedenceOnly) {
      addToTally(precedenceChanged, currency, amount)
      if (precedenceExamples.length < MAX_PRECEDENCE_EXAMPLES) {
        precedenceExamples.push({
          decision_id: record.decision_id,
          charge_id: record.charge_id,
          at: record.at,
          amount,
          currency,
          engine,
          recorded: record.decision,
          replayed: after.decision,
          score: after.score,
          fired: [...after.fired]
        })
      }
    }

    if (record.ruleset.hash === candidate.ruleSet.original.hash) {
      sameRuleset++
      const sameEvaluation = after.score === record.score && sameList(after.fired, record.fired)
      if (after.decision === record.decision && sameEvaluation) reproduced++
      else if (precedenceOnly && sameEvaluation) precedenceFidelity++
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
    ...(olderEngine > 0
      ? [`${olderEngine} records were decided by an older engine than this one (version ${ENGINE_VERSION}): ${precedenceChanged.count} of them replay to another decision only because of the precedence change of engine version ${EngineVersion.PRECEDENCE} (a review action no longer lowers a score at the block threshold); see "precedence".`]
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
    fidelity: { same_ruleset: sameRuleset, reproduced, precedence: precedenceFidelity, mismatches },
    precedence: { engine: ENGINE_VERSION, older_engine_records: olderEngine, changed: precedenceChanged, examples: precedenceExamples },
    notes
  }
}
