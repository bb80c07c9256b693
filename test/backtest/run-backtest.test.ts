import t from 'tap'
import type { Test } from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { formatTerminalReport } from '../../src/backtest/format-terminal.js'
import { renderHtmlReport } from '../../src/backtest/html-report.js'
import { prepareReplay } from '../../src/backtest/replay-ruleset.js'
import { runBacktest } from '../../src/backtest/run-backtest.js'
import type { BacktestOptions } from '../../src/backtest/run-backtest.js'
import type { DecisionRecord, OutcomeLabel } from '../../src/decision-log/record.js'
import { evaluate } from '../../src/engine/evaluate.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { rootDir } from '../helpers/test-data.js'
import { generateCharges, recordDecisions, toNdjson } from '../helpers/recorded-decisions.js'
import type { Recording } from '../helpers/recorded-decisions.js'
import { seededRandom } from '../../src/util/seeded-random.js'

const RULES = path.join(rootDir, 'rules')
const TEXT = readFileSync(path.join(RULES, 'ruleset.yaml'), 'utf8')
const LISTS = {
  'blocked_emails.txt': readFileSync(path.join(RULES, 'lists', 'blocked_emails.txt'), 'utf8'),
  'trusted_customers.txt': readFileSync(path.join(RULES, 'lists', 'trusted_customers.txt'), 'utf8')
}

/** a candidate: no Tor rule, block from 70, trusted customers enforced */
const CANDIDATE_TEXT = TEXT
  .replace('thresholds: { review: 50, block: 80 }', 'thresholds: { review: 50, block: 70 }')
  .replace(/ {2}- id: tor_exit\n(.+\n){3}/, '')
  .replace('    mode: shadow\n', '\n')
  .replace('version: "2026-12-05.1"', 'version: "candidate.1"')

/** outcomes as a shop would report them: most charges good, the risky ones fraud, some refunds */
function label (records: DecisionRecord[], seed: number): DecisionRecord[] {
  const random = seededRandom(seed)
  return records.map((r) => {
    const risky = r.fired.length >= 2 || r.features.ip.is_tor === true || r.amount < 1000
    const x = random()
    let labelled: OutcomeLabel | undefined
    if (x < 0.25) labelled = undefined
    else if (x < 0.3) labelled = 'refund'
    else if (risky) labelled = x < 0.8 ? 'chargeback' : x < 0.9 ? 'fraud' : 'review_rejected'
    else labelled = x < 0.95 ? 'legit' : 'review_approved'
    return labelled === undefined ? r : { ...r, outcome: { label: labelled, at: r.at, source: 'api' } }
  })
}

// the recording is deterministic (seeded charges, a fixed clock) and never modified: every test
// shares one, recorded once for the file
let recording: Recording | undefined
t.before(async () => { recording = await recordDecisions(t, generateCharges(2_000, 3)) })

async function fixture (t: Test): Promise<{ records: DecisionRecord[], options: (extra?: Partial<BacktestOptions>) => BacktestOptions, candidateDir: string }> {
  if (recording === undefined) throw new Error('no recording')
  const { records, hash } = recording
  const candidateDir = t.testdir({ 'ruleset.yaml': CANDIDATE_TEXT, lists: LISTS })
  const candidate = prepareReplay(await loadRuleSet(candidateDir), CANDIDATE_TEXT, hash)
  const labelled = label(records, 5)
  return {
    records: labelled,
    candidateDir,
    options: (extra = {}) => ({ input: Readable.from([toNdjson(labelled)]), source: 'test.ndjson', candidate: { ruleSet: candidate, dir: 'candidate/' }, ...extra })
  }
}

const FRAUD = new Set(['fraud', 'chargeback', 'review_rejected'])
const GOOD = new Set(['legit', 'review_approved'])

t.test('decisions that change, outcomes, precision and recall match a direct computation', async (t) => {
  const { records, options, candidateDir } = await fixture(t)
  const candidateSet = (await loadRuleSet(candidateDir))
  const report = await runBacktest(options())
  t.equal(report.input.records, records.length)

  // recompute every figure naively from the records and the engine
  const { hash } = await recordDecisions(t, [])
  const replaySet = prepareReplay(candidateSet, CANDIDATE_TEXT, hash).replay
  const matrix: Record<string, number> = {}
  const amounts: Record<string, Record<string, number>> = {}
  let fraud = 0
  let caughtBefore = 0
  let caughtAfter = 0
  let goodBlockedAfter = 0
  let changed = 0
  for (const r of records) {
    const after = evaluate(replaySet, r.features).decision
    const key = `${r.decision}>${after}`
    matrix[key] = (matrix[key] ?? 0) + 1
    const cell = (amounts[key] ??= {})
    cell[r.currency] = (cell[r.currency] ?? 0) + r.amount
    if (after !== r.decision) changed++
    const label = r.outcome?.label ?? ''
    if (FRAUD.has(label)) {
      fraud++
      if (r.decision === 'block') caughtBefore++
      if (after === 'block') caughtAfter++
    }
    if (GOOD.has(label) && after === 'block') goodBlockedAfter++
  }
  t.ok(changed > 0, 'the candidate changes decisions')
  t.equal(report.changes.changed.count, changed)
  for (const from of ['allow', 'review', 'block'] as const) {
    for (const to of ['allow', 'review', 'block'] as const) {
      t.equal(report.changes.matrix[from][to].count, matrix[`${from}>${to}`] ?? 0, `${from} -> ${to}`)
      t.same(report.changes.matrix[from][to].amounts, amounts[`${from}>${to}`] ?? {}, `${from} -> ${to} amounts`)
    }
  }
  t.equal(report.outcomes.fraud.count, fraud)
  t.equal(report.current.metrics.fraud_caught.count, caughtBefore)
  t.equal(report.candidate.metrics.fraud_caught.count, caughtAfter)
  t.equal(report.candidate.metrics.good_blocked.count, goodBlockedAfter)
  t.equal(report.candidate.metrics.recall, caughtAfter / fraud)
  t.equal(report.candidate.metrics.precision, caughtAfter / (caughtAfter + goodBlockedAfter))

  // the threshold curve at the configured threshold is exactly what the candidate decides
  const curve = report.candidate.curve
  t.ok(curve !== null && curve.length === 101)
  t.equal(curve?.[70]?.fraud_caught, caughtAfter)
  t.equal(curve?.[70]?.good_blocked, goodBlockedAfter)
  t.ok(curve?.every((p, i) => i === 0 || p.fraud_caught <= (curve[i - 1]?.fraud_caught ?? 0)), 'a higher threshold never catches more')
  t.equal(report.current.curve, null, 'recorded decisions do not say which were decided by an action')

  t.notOk(report.candidate.rules.some((r) => r.rule === 'tor_exit'))
  t.ok((report.current.rules.find((r) => r.rule === 'tor_exit')?.hits.count ?? 0) > 0)
  t.ok((report.candidate.rules.find((r) => r.rule === 'trusted_customer')?.hits.count ?? 0) > 0, 'trusted_customer is live in the candidate')
  t.match(report.notes, [/Velocity values are replayed as recorded/])
  t.ok(report.notes.some((n) => /Records decided with another rule set than the candidate are replayed/.test(n)))
  t.same(report.recorded_rulesets.map((r) => r.version), ['2026-12-05.1'])
  t.equal(report.fidelity.same_ruleset, 0)
})

t.test('refunds are unlabelled by default, fraud or good on request', async (t) => {
  const { records, options } = await fixture(t)
  const refunds = records.filter((r) => r.outcome?.label === 'refund').length
  t.ok(refunds > 0)
  const plain = await runBacktest(options())
  const asFraud = await runBacktest(options({ refundAs: 'fraud' }))
  const asGood = await runBacktest(options({ refundAs: 'good' }))
  t.equal(asFraud.outcomes.fraud.count, plain.outcomes.fraud.count + refunds)
  t.equal(asGood.outcomes.good.count, plain.outcomes.good.count + refunds)
  t.equal(plain.outcomes.unlabelled.count, records.filter((r) => r.outcome === undefined).length + refunds)
})

t.test('--current replays another set the same way; the same set changes nothing', async (t) => {
  const { options } = await fixture(t)
  const base = options()
  const report = await runBacktest({ ...base, current: base.candidate })
  t.equal(report.changes.changed.count, 0)
  t.equal(report.current.source, 'replayed')
  t.ok(report.current.curve !== null)
  t.same(report.current.metrics, report.candidate.metrics)
})

t.test('lines that are not decision records are counted with their line numbers; progress is reported', async (t) => {
  const { records, options } = await fixture(t)
  const lines = [JSON.stringify(records[0]), '{ nope', '', JSON.stringify({ v: 2 }), JSON.stringify({ ...records[1], fired: 'x' }), JSON.stringify(records[2])]
  const seen: number[] = []
  const report = await runBacktest(options({ input: Readable.from(lines.map((l) => Buffer.from(l + '\n'))), onProgress: (p) => { seen.push(p.records) } }))
  t.equal(report.input.records, 2)
  t.equal(report.input.invalid, 3)
  t.same(report.input.invalid_samples, [
    { line: 2, error: 'not JSON' },
    { line: 4, error: 'unsupported record version 2 (expected 1)' },
    { line: 5, error: 'fired must be a list of rule ids' }
  ])
  t.ok(seen.length >= 1 && seen[seen.length - 1] === 2)
})

t.test('the terminal and HTML reports', async (t) => {
  const { records, options } = await fixture(t)
  const hostile = { ...records[0] as DecisionRecord, charge_id: '<script>alert(1)</script>', decision: 'block' as const, score: 100, fired: [] }
  const report = await runBacktest(options({ input: Readable.from([toNdjson([hostile, ...records])]) }))
  const text = formatTerminalReport(report)
  t.match(text, /^backtest: 2,001 recorded decisions from test\.ndjson, 2026-10-01 to 2026-10-0\d/)
  t.match(text, /^candidate: candidate\/ \(version candidate\.1, hash [0-9a-f]{12}\)$/m)
  t.match(text, /^current: {3}the recorded decisions$/m)
  t.match(text, /^decisions that change: [\d,]+ \([\d.]+%\), THB [\d,.]+/m)
  t.match(text, /^ {2}fraud caught \(blocked\) +[\d,]+ \([\d.]+%\)/m)
  t.match(text, /^ {2}70 \(configured\) +[\d,]+ \([\d.]+%\) +[\d,]+ \([\d.]+%\)$/m)
  t.match(text, /^ {2}trusted_customer +[\d,]+/m)

  const html = renderHtmlReport(report)
  t.match(html, /^<!doctype html>/)
  t.notMatch(html, /<script/i, 'no script, and record values are escaped')
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.notMatch(html, /\b(src|href)=/i, 'no external asset')
  t.notMatch(html, /url\((?!#)/i, 'url() only for references inside the document')
  t.equal(html.match(/<svg /g)?.length !== undefined && (html.match(/<svg /g)?.length ?? 0) >= 4, true, 'charts are inline SVG')
  for (const title of ['Decisions before and after', 'Score distribution by outcome: current', 'Fraud caught vs good charges blocked, by block threshold']) {
    t.ok(html.includes(title), title)
  }
})

t.test('records without velocity and counters the records lack are replayed as unknown, and said so', async (t) => {
  const { records, options } = await fixture(t)
  const degraded = { ...records[0] as DecisionRecord, features: { ...(records[0] as DecisionRecord).features } }
  delete degraded.features.velocity
  const partial = { ...records[1] as DecisionRecord, features: { ...(records[1] as DecisionRecord).features, velocity: { charges_per_ip_1h: 1 } } }
  const report = await runBacktest(options({ input: Readable.from([toNdjson([degraded, partial])]) }))
  t.equal(report.degraded_velocity, 1)
  t.ok(report.notes.some((n) => /1 records were decided without velocity/.test(n)))
  t.ok(report.notes.some((n) => /velocity\.cards_per_ip_24h is absent from 1 records/.test(n)))
})
