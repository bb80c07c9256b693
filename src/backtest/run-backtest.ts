import type { DecisionRecord } from '../decision-log/record.js'
import { actionFlagsOf, decideAs } from '../engine/decide.js'
import { ENGINE_VERSION, EngineVersion } from '../engine/engine-version.js'
import { evaluate } from '../engine/evaluate.js'
import type { Features } from '../engine/features.js'
import type { Evaluation } from '../engine/ruleset.js'
import { RuleMode } from '../engine/ruleset.js'
import type { Decision } from '../schemas/decision.js'
import { DegradedSignal } from '../schemas/decision.js'
import type { VelocitySignals } from '../schemas/signals.js'
import { ChargeSampler } from './charge-samples.js'
import type { SideKey } from './charge-samples.js'
import { FraudAllowed } from './fraud-allowed.js'
import { readNdjsonLines } from './ndjson.js'
import { classifyOutcome, OutcomeClass } from './outcome.js'
import type { ExchangeRates } from './rates.js'
import { parseRecordLine } from './record-input.js'
import { ReplayCheck } from './replay-check.js'
import type { ReplayRuleSet } from './replay-ruleset.js'
import { curveThresholds, decisionCell, sideReport } from './report.js'
import type { BacktestReport, ChangeExample, PrecedenceExample, SideMeta, VelocityReport } from './report.js'
import { RuleRemovalStats } from './rule-removal.js'
import { addToTally, newTally, perDecision, perOutcome, SideStats } from './stats.js'
import type { SideDecision, Tally } from './stats.js'
import { BACKTEST_MAX_CELLS, BACKTEST_MAX_ENTITIES, VelocityReplay } from './velocity-replay.js'
import type { VelocityLimits } from './velocity-replay.js'

export interface BacktestSide {
  ruleSet: ReplayRuleSet
  /** the folder it was loaded from, for the report */
  dir?: string
}

export interface BacktestOptions {
  /** NDJSON DecisionRecords in time order, oldest first (a file stream or stdin) */
  input: AsyncIterable<Buffer | string>
  /** how the input is named in the report */
  source: string
  candidate: BacktestSide
  /** replay this set as the current one; absent: the recorded decisions are the current ones */
  current?: BacktestSide
  refundAs?: OutcomeClass
  /**
   * Only records at or after `from` and before `to` are reported. Records before `from` are still
   * counted in the recounted velocity counters (they warm them up); records from `to` on are ignored.
   */
  range?: { from?: Date, to?: Date }
  /**
   * Count the outcomes reported on charges blocked live. Default false: a blocked charge never
   * went through, so it gets an outcome only when someone reports one (mostly to confirm fraud):
   * counted, those would make the blocks look right by construction.
   */
  countBlockedOutcomes?: boolean
  /** the analyst's exchange rates: amounts in one reporting currency */
  rates?: { rates: ExchangeRates, source: string }
  /** bounds of the recounting velocity store (default BACKTEST_MAX_ENTITIES, BACKTEST_MAX_CELLS) */
  velocityLimits?: Partial<VelocityLimits>
  /** changed decisions kept as examples (default 25) */
  maxExamples?: number
  /** charges sampled behind each figure of the report (default 20) */
  samplesPerFigure?: number
  /** fraud the candidate allows, listed (default 100) */
  maxFraudAllowed?: number
  /** called after every chunk of input */
  onProgress?: (progress: { bytes: number, records: number }) => void
  now?: () => number
  /** notes of the caller, added to the report's */
  notes?: string[]
}

const MAX_INVALID_SAMPLES = 10
const MAX_PRECEDENCE_EXAMPLES = 25
const number = new Intl.NumberFormat('en-US')

/** the strongest live action that fired (allow > block > review), null when none did */
function strongestAction (actions: number): Decision | null {
  return (actions & 1) !== 0 ? 'allow' : (actions & 2) !== 0 ? 'block' : (actions & 4) !== 0 ? 'review' : null
}

/** sets the velocity the engine reads (absent: decided without velocity); the record is this replay's own */
function setVelocity (features: Features, velocity: VelocitySignals | undefined): Features {
  if (velocity === undefined) delete features.velocity
  else features.velocity = velocity
  return features
}

interface Replayed extends SideDecision {
  /** the live action flags of the evaluation (src/engine/decide.ts) */
  actions: number
}

function replayed (side: BacktestSide, features: Features): Replayed {
  const evaluation: Evaluation = evaluate(side.ruleSet.replay, features)
  const actions = actionFlagsOf(evaluation.reasons)
  return {
    decision: evaluation.decision,
    score: evaluation.score,
    fired: evaluation.reasons.map((r) => r.rule),
    shadowFired: evaluation.shadow.reasons.map((r) => r.rule),
    action: strongestAction(actions),
    actions,
    reasons: evaluation.reasons
  }
}

/** the engine version that made a record: one without it predates its recording */
function engineOf (record: DecisionRecord): number {
  return typeof record.engine === 'number' ? record.engine : EngineVersion.FIRST
}

/**
 * A replay that differs from the record only because of the precedence change: the recording
 * engine's precedence, applied to the replay's score and actions, gives the recorded decision.
 */
function precedenceChange (engine: number, side: BacktestSide, record: DecisionRecord, replay: Replayed): boolean {
  return replay.decision !== record.decision && decideAs(engine, side.ruleSet.replay.thresholds, replay.score, replay.actions) === record.decision
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

/** decided while the velocity store was unavailable: the record says so, or has no velocity */
function decidedWithoutVelocity (record: DecisionRecord): boolean {
  const velocity = record.features.velocity
  return velocity === undefined || velocity === null || (Array.isArray(record.degraded) && record.degraded.includes(DegradedSignal.VELOCITY))
}

function metaOf (label: SideMeta['label'], side: BacktestSide | undefined, removal?: RuleRemovalStats): SideMeta {
  if (side === undefined) return { label, source: 'recorded', ruleset: null, thresholds: null, liveRules: [], shadowRules: [] }
  const rs = side.ruleSet.original
  return {
    label,
    source: 'replayed',
    ruleset: side.dir === undefined ? { version: rs.version, hash: rs.hash } : { version: rs.version, hash: rs.hash, dir: side.dir },
    thresholds: { ...rs.thresholds },
    liveRules: rs.rules.filter((r) => r.mode === RuleMode.LIVE).map((r) => r.id),
    shadowRules: rs.rules.filter((r) => r.mode === RuleMode.SHADOW).map((r) => r.id),
    ...(removal === undefined ? {} : { without: (rule: string) => removal.of(rule) })
  }
}

function iso (ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString()
}

/** `24 hours`, `7 days`, `10 minutes` */
function duration (ms: number): string {
  const [n, unit] = ms % 86_400_000 === 0 && ms > 86_400_000 ? [ms / 86_400_000, 'day'] : ms % 3_600_000 === 0 ? [ms / 3_600_000, 'hour'] : [ms / 60_000, 'minute']
  return `${n} ${unit}${n === 1 ? '' : 's'}`
}

/**
 * Why counters are unknown, one note per reason: counters missing for the same records for the
 * same key paths are named together.
 */
function unknownNotes (unknown: VelocityReport['unknown']): string[] {
  const byReason = new Map<string, { counters: string[], records: number, missing: string }>()
  for (const u of unknown) {
    const missing = Object.entries(u.missing).map(([path, n]) => `${path}${u.records === n ? '' : ` (${number.format(n)} of them)`}`).join(', ')
    const key = `${u.records}|${missing}`
    const entry = byReason.get(key)
    if (entry === undefined) byReason.set(key, { counters: [u.counter], records: u.records, missing })
    else entry.counters.push(u.counter)
  }
  return [...byReason.values()].map((r) => {
    const names = r.counters.map((c) => `velocity.${c}`)
    const subject = names.length === 1 ? `${names[0] as string} is` : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] as string} are`
    return `${subject} unknown for ${number.format(r.records)} records: they have no ${r.missing}, the key counted by. As live, an unknown counter is absent and rules reading it are skipped for those records.`
  })
}

/** the sets of charges a side's decision puts a record in (see chargeSetLabel) */
/** the prefixes of a side's sample keys, made once */
function prefixes (side: SideKey): { decision: string, cell: Record<Decision, string>, rule: string, shadow: string } {
  return {
    decision: `decision:${side}:`,
    cell: perDecision(() => ''),
    rule: `rule:${side}:`,
    shadow: `shadow:${side}:`
  }
}

const PREFIXES: Record<SideKey, ReturnType<typeof prefixes>> = { current: prefixes('current'), candidate: prefixes('candidate') }
for (const side of ['current', 'candidate'] as const) for (const d of ['allow', 'review', 'block'] as const) PREFIXES[side].cell[d] = `cell:${side}:${d}:`
const CHANGE_PREFIX = perDecision(() => '')
for (const d of ['allow', 'review', 'block'] as const) CHANGE_PREFIX[d] = `change:${d}:`
const OUTCOME_SUFFIX: Record<OutcomeClass, string> = { fraud: ':fraud', good: ':good', unlabelled: ':unlabelled' }

function sampleSide (sampler: ChargeSampler, side: SideKey, d: SideDecision, outcome: OutcomeClass): void {
  const p = PREFIXES[side]
  sampler.addId(p.decision, d.decision)
  sampler.addId(p.cell[d.decision], outcome)
  const suffix = outcome === 'unlabelled' ? undefined : OUTCOME_SUFFIX[outcome]
  for (const id of d.fired) {
    sampler.addId(p.rule, id)
    if (suffix !== undefined) sampler.addId(p.rule, id, suffix)
  }
  for (const id of d.shadowFired) {
    sampler.addId(p.shadow, id)
    if (suffix !== undefined) sampler.addId(p.shadow, id, suffix)
  }
}

/**
 * Replays recorded decisions through a candidate rule set (and the current one, or the recorded
 * decisions) with the live engine, streaming: memory holds the statistics and the velocity
 * counters, not the records. Velocity counters are recounted from the records, in input order
 * (time order), with each rule set's own declarations.
 */
export async function runBacktest (options: BacktestOptions): Promise<BacktestReport> {
  const now = options.now ?? Date.now
  const started = now()
  const refundAs = options.refundAs ?? OutcomeClass.UNLABELLED
  const maxExamples = options.maxExamples ?? 25
  const countBlocked = options.countBlockedOutcomes === true
  const rates = options.rates?.rates ?? null
  const fromMs = options.range?.from?.getTime()
  const toMs = options.range?.to?.getTime()
  const { candidate, current } = options
  const limits: VelocityLimits = {
    maxEntities: options.velocityLimits?.maxEntities ?? BACKTEST_MAX_ENTITIES,
    maxCells: options.velocityLimits?.maxCells ?? BACKTEST_MAX_CELLS
  }

  // one store counts the counters of both sides (a definition both declare is counted once)
  const replay = new VelocityReplay([candidate.ruleSet.original.velocity, ...(current === undefined ? [] : [current.ruleSet.original.velocity])], limits)
  const replaySides: SideKey[] = current === undefined ? ['candidate'] : ['candidate', 'current']
  const candidateWindows = new Map(candidate.ruleSet.original.velocity.map((s) => [s.name, s.windowSeconds * 1000]))
  const longestWindowMs = Math.max(0, ...candidateWindows.values())

  const currentStats = new SideStats()
  const candidateStats = new SideStats()
  const removal = new RuleRemovalStats(candidate.ruleSet.original.thresholds)
  const check = new ReplayCheck(candidateWindows)
  const currentCheck = current === undefined ? undefined : new ReplayCheck(new Map(current.ruleSet.original.velocity.map((v) => [v.name, v.windowSeconds * 1000])))
  const sampler = new ChargeSampler(options.samplesPerFigure ?? 20)
  const fraudAllowed = new FraudAllowed(options.maxFraudAllowed ?? 100, rates)
  const thresholdRows = curveThresholds(candidate.ruleSet.original.thresholds.block)
  const thresholdIds = thresholdRows.map(String)
  const outcomes = perOutcome(newTally)
  const matrix = perDecision(() => perDecision(() => perOutcome(newTally)))
  const changed: Tally = newTally()
  const examples: ChangeExample[] = []
  const rulesets = new Map<string, { version: string, hash: string, records: number }>()
  const invalidSamples: Array<{ line: number, error: string }> = []
  const unknownCounters = new Map<string, { records: number, missing: Map<string, number> }>()
  const currencies = new Set<string>()
  const blocked = { blocked: 0, fraud: 0, good: 0, setAside: 0 }
  const precedenceChanged: Tally = newTally()
  const precedenceExamples: PrecedenceExample[] = []
  let olderEngine = 0
  let invalid = 0
  let records = 0
  let beforePeriod = 0
  let afterPeriod = 0
  let outOfOrder = 0
  let latestMs = -Infinity
  let historyMs: number | undefined
  let warmUp = 0
  let degraded = 0
  let fromSeen: number | undefined
  let toSeen: number | undefined

  const onLine = (line: string, lineNo: number): void => {
    const parsed = parseRecordLine(line)
    if (!parsed.ok) {
      invalid++
      if (invalidSamples.length < MAX_INVALID_SAMPLES) invalidSamples.push({ line: lineNo, error: parsed.error })
      return
    }
    const record = parsed.record
    const atMs = Date.parse(record.at)
    if (toMs !== undefined && atMs >= toMs) {
      afterPeriod++
      return
    }
    if (atMs < latestMs) outOfOrder++
    else latestMs = atMs
    if (historyMs === undefined || atMs < historyMs) historyMs = atMs

    // every record of the input counts in the counters, those before --from too
    const withoutVelocity = decidedWithoutVelocity(record)
    const reported = fromMs === undefined || atMs >= fromMs
    let candidateVelocity: VelocitySignals | undefined
    let currentVelocity: VelocitySignals | undefined
    if (!withoutVelocity) {
      const counted = replay.count(record.features, atMs)
      const forCandidate = counted[0] as { values: VelocitySignals, unknown: readonly string[] }
      candidateVelocity = forCandidate.values
      currentVelocity = counted[1]?.values
      if (reported) {
        for (const name of forCandidate.unknown) {
          let entry = unknownCounters.get(name)
          if (entry === undefined) {
            entry = { records: 0, missing: new Map() }
            unknownCounters.set(name, entry)
          }
          entry.records++
          for (const path of replay.missingKeyPaths(0, name, record.features)) entry.missing.set(path, (entry.missing.get(path) ?? 0) + 1)
        }
      }
    }
    if (!reported) {
      beforePeriod++
      return
    }

    records++
    if (fromSeen === undefined || atMs < fromSeen) fromSeen = atMs
    if (toSeen === undefined || atMs > toSeen) toSeen = atMs
    const { currency, amount } = record
    currencies.add(currency)
    let outcome = classifyOutcome(record.outcome, refundAs)
    let setAside = false
    if (record.decision === 'block') {
      blocked.blocked++
      if (outcome !== OutcomeClass.UNLABELLED) {
        blocked[outcome]++
        if (!countBlocked) {
          blocked.setAside++
          outcome = OutcomeClass.UNLABELLED
          setAside = true
        }
      }
    }
    addToTally(outcomes[outcome], currency, amount)
    const seen = rulesets.get(record.ruleset.hash)
    if (seen === undefined) rulesets.set(record.ruleset.hash, { version: record.ruleset.version, hash: record.ruleset.hash, records: 1 })
    else seen.records++
    if (withoutVelocity) degraded++
    else if (historyMs !== undefined && atMs - historyMs < longestWindowMs) warmUp++

    const recordedVelocity = record.features.velocity ?? undefined
    const currentReplay = current === undefined ? undefined : replayed(current, setVelocity(record.features, currentVelocity))
    const before: SideDecision = currentReplay ?? recorded(record)
    const after = replayed(candidate, setVelocity(record.features, candidateVelocity))
    currentStats.add(before, outcome, currency, amount)
    candidateStats.add(after, outcome, currency, amount)

    // a record of an older engine: would that engine have decided the replay as recorded? Then a
    // different decision now is the engine's precedence change alone, not the rules'
    const engine = engineOf(record)
    const older = engine < ENGINE_VERSION
    const precedenceOnly = older && precedenceChange(engine, candidate, record, after)
    if (older) olderEngine++
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

    sampler.begin(record, before, after, outcome)
    sampler.addId('outcome:', outcome)
    sampleSide(sampler, 'current', before, outcome)
    sampleSide(sampler, 'candidate', after, outcome)
    if (setAside) sampler.add('blocked-set-aside')
    if (precedenceOnly) sampler.add('precedence')
    for (const rule of removal.add(after.decision, after.reasons ?? [], outcome, currency, amount)) sampler.addId('without:', rule)
    if (outcome !== OutcomeClass.UNLABELLED && after.action !== undefined) {
      for (let i = 0; i < thresholdRows.length; i++) {
        const t = thresholdRows[i] as number
        if (after.action === 'block' || ((after.action === null || after.action === 'review') && after.score >= t)) sampler.addId('threshold:', thresholdIds[i] as string, OUTCOME_SUFFIX[outcome])
      }
    }
    if (outcome === OutcomeClass.FRAUD && after.decision === 'allow') {
      sampler.add('fraud-allowed')
      fraudAllowed.add(currency, amount, () => sampler.current())
    }

    if (record.ruleset.hash === candidate.ruleSet.original.hash) {
      if (!check.add(record, after, recordedVelocity, candidateVelocity, atMs - (historyMs ?? atMs), precedenceOnly)) sampler.add('replay-differs')
    }
    if (current !== undefined && currentCheck !== undefined && currentReplay !== undefined && record.ruleset.hash === current.ruleSet.original.hash) {
      const currentPrecedence = older && precedenceChange(engine, current, record, currentReplay)
      if (!currentCheck.add(record, before, recordedVelocity, currentVelocity, atMs - (historyMs ?? atMs), currentPrecedence)) sampler.add('current-replay-differs')
    }

    addToTally(matrix[before.decision][after.decision][outcome], currency, amount)
    sampler.addId(CHANGE_PREFIX[before.decision], after.decision)
    if (before.decision !== after.decision) {
      addToTally(changed, currency, amount)
      sampler.add('changed')
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

  const velocity: VelocityReport = {
    history_from: iso(historyMs),
    warm_up: { until: historyMs === undefined || longestWindowMs === 0 ? null : iso(historyMs + longestWindowMs), records: warmUp },
    unknown: [...unknownCounters].map(([counter, u]) => ({ counter, records: u.records, missing: Object.fromEntries(u.missing) })),
    store: { sides: replaySides, counters: replay.counterNames(), ...replay.stats() },
    limits: { max_entities: limits.maxEntities, max_cells: limits.maxCells }
  }
  const forgotten = velocity.store.forgotten
  const ratesReport = options.rates === undefined
    ? null
    : { ...options.rates.rates, source: options.rates.source, missing: [...currencies].filter((c) => c !== options.rates?.rates.base && options.rates?.rates.rates[c] === undefined).sort() }

  const notes = [
    'Velocity counters are recounted from the records, in time order, with each rule set\'s own declarations (the in-process velocity store; identifiers are the recorded keyed digests, as live): a new counter, or a counter with another window or key, is measured as it would have counted live.',
    ...(velocity.warm_up.until !== null && warmUp > 0
      ? [`${number.format(warmUp)} records are within ${duration(longestWindowMs)} (the candidate's longest window) of the first record of the input: the charges before the input are missing from their counters, which read lower than live. Export from one longest window before the period and pass --from: the earlier records then only warm the counters up.`]
      : []),
    ...(degraded > 0 ? [`${number.format(degraded)} records were decided while the velocity store was unavailable: they are replayed without velocity, as they were decided (rules reading velocity are skipped for them), and are not counted in the recounted counters (the store did not take them live).`] : []),
    ...unknownNotes(velocity.unknown),
    ...(outOfOrder > 0 ? [`${number.format(outOfOrder)} records are older than a record before them in the input (it is not in time order): counters recount charges in input order, so theirs can differ from live. Sort the input by time (riskgate decisions export writes it oldest first).`] : []),
    ...(forgotten > 0 ? [`${number.format(forgotten)} velocity entities were forgotten before they expired (the store keeps ${number.format(limits.maxEntities)} entities and ${number.format(limits.maxCells)} cells at most): their later counters read lower than live. Raise --velocity-max-entities / --velocity-max-cells.`] : []),
    current === undefined
      ? 'Current: the decisions as they were recorded, each with the rule set it was decided with.'
      : 'Current: the --current rule set, replayed like the candidate.',
    ...(rulesets.size > 1 || (rulesets.size === 1 && !rulesets.has(candidate.ruleSet.original.hash))
      ? ['Records decided with another rule set than the candidate are replayed all the same: the engine sees the same recorded features.']
      : []),
    ...(olderEngine > 0
      ? [`${number.format(olderEngine)} records were decided by an older engine than this one (version ${ENGINE_VERSION}): ${number.format(precedenceChanged.count)} of them replay to another decision only because of the precedence change of engine version ${EngineVersion.PRECEDENCE} (a review action no longer lowers a score at the block threshold); see "precedence".`]
      : []),
    ...candidate.ruleSet.inexact.map((r) => `Rule ${r.rule} reads ${r.paths.join(', ')} other than by equality or list membership: recorded identifiers are keyed hashes, so it cannot replay exactly.`),
    `Outcomes: fraud, chargeback and review_rejected count as fraud; legit and review_approved as good; refund as ${refundAs}; gateway_denied unlabelled.`,
    ...(ratesReport !== null && ratesReport.missing.length > 0 ? [`The rates (${ratesReport.source}) do not give ${ratesReport.missing.join(', ')}: those amounts are shown apart, never converted.`] : []),
    ...(options.notes ?? [])
  ]

  const matrixReport = perDecision(() => perDecision(() => decisionCell(perOutcome(newTally))))
  for (const b of ['allow', 'review', 'block'] as const) {
    for (const a of ['allow', 'review', 'block'] as const) matrixReport[b][a] = decisionCell(matrix[b][a])
  }
  return {
    generated_at: new Date(now()).toISOString(),
    duration_ms: now() - started,
    input: {
      source: options.source,
      bytes: stats.bytes,
      records,
      before_period: beforePeriod,
      after_period: afterPeriod,
      out_of_order: outOfOrder,
      invalid,
      invalid_samples: invalidSamples
    },
    period: { from: iso(fromSeen), to: iso(toSeen) },
    filter: { from: iso(fromMs), to: iso(toMs) },
    outcomes,
    refund_as: refundAs,
    blocked_outcomes: { counted: countBlocked, blocked: blocked.blocked, with_outcome: { fraud: blocked.fraud, good: blocked.good }, set_aside: blocked.setAside },
    rates: ratesReport,
    recorded_rulesets: [...rulesets.values()].sort((x, y) => y.records - x.records),
    degraded_velocity: degraded,
    velocity,
    current: sideReport(currentStats, metaOf('current', current)),
    candidate: sideReport(candidateStats, metaOf('candidate', candidate, removal)),
    changes: { matrix: matrixReport, changed, examples },
    fraud_allowed: fraudAllowed.result(),
    fidelity: check.result(),
    current_fidelity: currentCheck?.result() ?? null,
    precedence: { engine: ENGINE_VERSION, older_engine_records: olderEngine, changed: precedenceChanged, examples: precedenceExamples },
    charges: sampler.result(),
    notes
  }
}
