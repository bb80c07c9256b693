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
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { evaluate } from '../../src/engine/evaluate.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { rootDir } from '../helpers/test-data.js'
import { generateCharges, labelOutcomes, recordDecisions, toNdjson } from '../helpers/recorded-decisions.js'
import type { Recording } from '../helpers/recorded-decisions.js'

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

// the recording is deterministic (seeded charges, a fixed clock) and never modified: every test
// shares one, recorded once for the file
let recording: Recording | undefined
t.before(async () => { recording = await recordDecisions(t, generateCharges(2_000, 3)) })

async function fixture (t: Test): Promise<{ records: DecisionRecord[], options: (extra?: Partial<BacktestOptions>) => BacktestOptions, candidateDir: string }> {
  if (recording === undefined) throw new Error('no recording')
  const { records, hash } = recording
  const candidateDir = t.testdir({ 'ruleset.yaml': CANDIDATE_TEXT, lists: LISTS })
  const candidate = prepareReplay(await loadRuleSet(candidateDir), CANDIDATE_TEXT, hash)
  const labelled = labelOutcomes(records, 5)
  return {
    records: labelled,
    candidateDir,
    options: (extra = {}) => ({ input: Readable.from([toNdjson(labelled)]), source: 'test.ndjson', candidate: { ruleSet: candidate, dir: 'candidate/' }, ...extra })
  }
}

const FRAUD = new Set(['fraud', 'chargeback', 'review_rejected'])
const GOOD = new Set(['legit', 'review_approved'])

for (const countBlocked of [false, true]) {
  t.test(`decisions that change, outcomes, precision and recall match a direct computation (${countBlocked ? 'outcomes of blocked charges counted' : 'outcomes of blocked charges set aside'})`, async (t) => {
    const { records, options, candidateDir } = await fixture(t)
    const candidateSet = (await loadRuleSet(candidateDir))
    const report = await runBacktest(options({ countBlockedOutcomes: countBlocked }))
    t.equal(report.input.records, records.length)

    // recompute every figure naively from the records and the engine (the candidate declares the
    // recording's counters, and the recording started from an empty store: its recorded velocity
    // is what the backtest recounts)
    const { hash } = await recordDecisions(t, [])
    const replaySet = prepareReplay(candidateSet, CANDIDATE_TEXT, hash).replay
    const matrix: Record<string, number> = {}
    const amounts: Record<string, Record<string, number>> = {}
    let fraud = 0
    let caughtBefore = 0
    let caughtAfter = 0
    let goodBlockedBefore = 0
    let goodBlockedAfter = 0
    let changed = 0
    let blocked = 0
    let setAside = 0
    for (const r of records) {
      const after = evaluate(replaySet, r.features).decision
      const key = `${r.decision}>${after}`
      matrix[key] = (matrix[key] ?? 0) + 1
      const cell = (amounts[key] ??= {})
      cell[r.currency] = (cell[r.currency] ?? 0) + r.amount
      if (after !== r.decision) changed++
      let label = r.outcome?.label ?? ''
      if (r.decision === 'block') {
        blocked++
        if (!countBlocked && (FRAUD.has(label) || GOOD.has(label))) {
          setAside++
          label = ''
        }
      }
      if (FRAUD.has(label)) {
        fraud++
        if (r.decision === 'block') caughtBefore++
        if (after === 'block') caughtAfter++
      }
      if (GOOD.has(label) && r.decision === 'block') goodBlockedBefore++
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
    t.equal(report.blocked_outcomes.counted, countBlocked)
    t.equal(report.blocked_outcomes.blocked, blocked)
    t.equal(report.blocked_outcomes.set_aside, setAside)
    t.equal(report.outcomes.fraud.count, fraud)
    t.equal(report.current.metrics.fraud_caught.count, caughtBefore)
    t.equal(report.current.metrics.good_blocked.count, goodBlockedBefore)
    t.equal(report.candidate.metrics.fraud_caught.count, caughtAfter)
    t.equal(report.candidate.metrics.good_blocked.count, goodBlockedAfter)
    t.equal(report.candidate.metrics.recall, caughtAfter / fraud)
    t.equal(report.candidate.metrics.precision, caughtAfter / (caughtAfter + goodBlockedAfter))
    if (countBlocked) {
      t.ok(caughtBefore > 0 && goodBlockedBefore === 0, 'reported outcomes of blocked charges are fraud: the selection bias')
      t.equal(report.current.metrics.precision, 1, 'counted, they make the current blocks 100% precise')
    } else {
      t.ok(setAside > 0)
      t.equal(caughtBefore, 0, 'the charges blocked live have no usable outcome')
      t.equal(report.current.metrics.precision, null)
    }

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
    t.match(report.notes, [/Velocity counters are recounted from the records/])
    t.ok(report.notes.some((n) => /Records decided with another rule set than the candidate are replayed/.test(n)))
    t.same(report.recorded_rulesets.map((r) => r.version), ['2026-12-05.1'])
    t.equal(report.fidelity.same_ruleset, 0)
  })
}

t.test('refunds are unlabelled by default, fraud or good on request', async (t) => {
  const { records, options } = await fixture(t)
  const refunds = records.filter((r) => r.outcome?.label === 'refund').length
  t.ok(refunds > 0)
  // outcomes of blocked charges counted: every refund counts as the option says
  const plain = await runBacktest(options({ countBlockedOutcomes: true }))
  const asFraud = await runBacktest(options({ refundAs: 'fraud', countBlockedOutcomes: true }))
  const asGood = await runBacktest(options({ refundAs: 'good', countBlockedOutcomes: true }))
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
  t.match(text, /^!! Selection bias: [\d,]+ charges were blocked live\./m, 'the selection bias of blocked charges, before the fraud figures')
  t.ok(text.indexOf('!! Selection bias') < text.indexOf('fraud caught and good charges blocked'))
  t.match(text, /^fraud the candidate still allows: [\d,]+, THB [\d,.]+ \+ USD [\d,.]+ \(the 10 latest of them/m)
  t.match(text, /^amounts by currency \(current -> candidate\)\n {2}currency +blocked/m)
  t.match(text, /^ {2}THB +THB [\d,.]+ -> THB [\d,.]+/m)
  t.match(text, /^ {2}rule +hits +hit rate +fraud +good +precision +recall +current hits +without: changes +fraud caught +good blocked$/m)
  t.match(text, /^amounts per currency, never added up \(THB, USD; --rates <file> converts them into one\)/m)

  const html = renderHtmlReport(report)
  t.match(html, /^<!doctype html>/)
  t.notMatch(html, /<script/i, 'no script, and record values are escaped')
  t.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
  t.notMatch(html, /\bsrc=/i, 'no external asset')
  t.notMatch(html, /url\((?!#)/i, 'url() only for references inside the document')
  const hrefs = [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1] as string)
  t.ok(hrefs.length > 50, 'figures link to their charges')
  t.ok(hrefs.every((h) => /^#c\d+$/.test(h)), 'every link stays within the document')
  for (const id of new Set(hrefs.map((h) => h.slice(1)))) {
    t.ok(html.includes(`<span class="anchor" id="${id}"></span>`) && html.includes(`#${id}:target~.h${id.slice(1)}{display:block}`) && html.includes(`#${id}:target~table tr.${id}{display:table-row}`),
      `${id}: an anchor, a heading and its rows`, { diagnostic: false })
  }
  t.equal(html.match(/<svg /g)?.length !== undefined && (html.match(/<svg /g)?.length ?? 0) >= 4, true, 'charts are inline SVG')
  for (const title of ['Decisions before and after', 'Score distribution by outcome: current', 'Fraud caught vs good charges blocked, by block threshold']) {
    t.ok(html.includes(title), title)
  }
})

t.test('records without velocity are replayed without it; counters a record lacks the key of are unknown, and the report says why', async (t) => {
  const { records, options } = await fixture(t)
  const first = records[0] as DecisionRecord
  const degraded = { ...first, features: { ...first.features }, degraded: ['velocity'] }
  delete degraded.features.velocity
  const noEmail = records.find((r) => r.features.email === undefined && r.features.card !== undefined) as DecisionRecord
  const report = await runBacktest(options({ input: Readable.from([toNdjson([degraded, noEmail])]) }))
  t.equal(report.degraded_velocity, 1)
  t.ok(report.notes.some((n) => /^1 records were decided while the velocity store was unavailable: they are replayed without velocity/.test(n)))
  t.ok(report.notes.some((n) => /^velocity\.charges_per_email_24h and velocity\.cards_per_email_24h are unknown for 1 records: they have no email\.address/.test(n)))
  t.same(report.velocity.unknown.map((u) => [u.counter, u.records, u.missing]), [
    ['charges_per_email_24h', 1, { 'email.address': 1 }],
    ['cards_per_email_24h', 1, { 'email.address': 1 }]
  ])
  t.equal(report.velocity.store.entities > 0, true, 'the other record was counted')
})
