import t from 'tap'
import type { Test } from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { ChargeRow } from '../../src/backtest/charge-samples.js'
import { formatTerminalReport } from '../../src/backtest/format-terminal.js'
import { renderHtmlReport } from '../../src/backtest/html-report.js'
import { convertAmounts } from '../../src/backtest/rates.js'
import { prepareReplay } from '../../src/backtest/replay-ruleset.js'
import type { ReplayRuleSet } from '../../src/backtest/replay-ruleset.js'
import type { BacktestReport } from '../../src/backtest/report.js'
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
/** a candidate: block from 70, no Tor rule, trusted customers enforced */
const CANDIDATE_TEXT = TEXT
  .replace('thresholds: { review: 50, block: 80 }', 'thresholds: { review: 50, block: 70 }')
  .replace(/ {2}- id: tor_exit\n(.+\n){3}/, '')
  .replace('    mode: shadow\n', '\n')
  .replace('version: "2026-12-05.1"', 'version: "candidate.1"')
const FRAUD = new Set(['fraud', 'chargeback', 'review_rejected'])
const GOOD = new Set(['legit', 'review_approved'])
const PER_SET = 15

let recording: Recording | undefined
let records: DecisionRecord[] = []
t.before(async () => {
  recording = await recordDecisions(t, generateCharges(1_500, 23))
  records = labelOutcomes(recording.records, 9)
})

async function compile (t: Test, text: string): Promise<ReplayRuleSet> {
  if (recording === undefined) throw new Error('no recording')
  return prepareReplay(await loadRuleSet(t.testdir({ 'ruleset.yaml': text, lists: LISTS })), text, recording.hash)
}

async function backtest (t: Test, extra: Partial<BacktestOptions> = {}): Promise<BacktestReport> {
  return await runBacktest({
    input: Readable.from([toNdjson(records)]),
    source: 'test.ndjson',
    candidate: { ruleSet: await compile(t, CANDIDATE_TEXT), dir: 'candidate/' },
    samplesPerFigure: PER_SET,
    ...extra
  })
}

/** how the backtest counts a record's outcome: outcomes of charges blocked live set aside */
function outcomeOf (r: DecisionRecord): 'fraud' | 'good' | 'unlabelled' {
  const label = r.outcome?.label ?? ''
  if (r.decision === 'block') return 'unlabelled'
  return FRAUD.has(label) ? 'fraud' : GOOD.has(label) ? 'good' : 'unlabelled'
}

t.test('every figure links to a sample of exactly the charges it counts', async (t) => {
  const report = await backtest(t)
  const rule = report.candidate.rules.find((r) => r.rule === 'many_cards_per_ip') ?? t.fail('no rule')
  if (rule === undefined || typeof rule === 'boolean') return
  const figures: Array<{ key: string, total: number, is: (row: ChargeRow) => boolean }> = [
    { key: 'decision:candidate:block', total: report.candidate.decisions.block.count, is: (r) => r.candidate.decision === 'block' },
    { key: 'decision:current:review', total: report.current.decisions.review.count, is: (r) => r.current.decision === 'review' },
    { key: 'cell:candidate:allow:fraud', total: report.candidate.metrics.fraud_missed.count, is: (r) => r.candidate.decision === 'allow' && r.outcome_class === 'fraud' },
    { key: 'cell:candidate:review:fraud', total: report.candidate.metrics.fraud_reviewed.count, is: (r) => r.candidate.decision === 'review' && r.outcome_class === 'fraud' },
    { key: 'change:review:block', total: report.changes.matrix.review.block.count, is: (r) => r.current.decision === 'review' && r.candidate.decision === 'block' },
    { key: 'changed', total: report.changes.changed.count, is: (r) => r.current.decision !== r.candidate.decision },
    { key: 'outcome:good', total: report.outcomes.good.count, is: (r) => r.outcome_class === 'good' },
    { key: 'rule:candidate:many_cards_per_ip', total: rule.hits.count, is: (r) => r.candidate.fired.includes('many_cards_per_ip') },
    { key: 'rule:candidate:many_cards_per_ip:fraud', total: rule.fraud, is: (r) => r.candidate.fired.includes('many_cards_per_ip') && r.outcome_class === 'fraud' },
    { key: 'rule:current:tor_exit', total: report.current.rules.find((r) => r.rule === 'tor_exit')?.hits.count ?? -1, is: (r) => r.current.fired.includes('tor_exit') },
    { key: 'without:many_cards_per_ip', total: rule.without?.changed.count ?? -1, is: (r) => r.candidate.fired.includes('many_cards_per_ip') },
    { key: 'threshold:50:fraud', total: report.candidate.curve?.[50]?.fraud_caught ?? -1, is: (r) => r.outcome_class === 'fraud' && r.candidate.score >= 50 },
    { key: 'fraud-allowed', total: report.fraud_allowed.total.count, is: (r) => r.outcome_class === 'fraud' && r.candidate.decision === 'allow' },
    { key: 'blocked-set-aside', total: report.blocked_outcomes.set_aside, is: (r) => r.current.decision === 'block' && r.outcome !== null && r.outcome_class === 'unlabelled' }
  ]
  for (const f of figures) {
    const set = report.charges.sets[f.key]
    t.ok(f.total > PER_SET, `${f.key}: more charges than a sample (${f.total})`)
    t.equal(set?.total, f.total, `${f.key}: counts what the figure counts`)
    const rows = (set?.rows ?? []).map((i) => report.charges.rows[i] as ChargeRow)
    t.equal(rows.length, Math.min(PER_SET, f.total), `${f.key}: a sample of ${PER_SET}`)
    t.equal(new Set(rows.map((r) => r.decision_id)).size, rows.length, `${f.key}: distinct charges`)
    t.ok(rows.every(f.is), `${f.key}: only charges the figure counts`)
    t.same(rows.map((r) => r.at), rows.map((r) => r.at).sort(), `${f.key}: in time order`)
  }
  t.ok(Object.values(report.charges.sets).every((s) => s.rows.length <= PER_SET), 'no sample beyond its size')

  const again = await backtest(t)
  t.same(again.charges, report.charges, 'the same input gives the same samples')
  const bigger = await backtest(t, { samplesPerFigure: 2_000 })
  const all = bigger.charges.sets['change:review:block']
  t.equal(all?.rows.length, all?.total, 'a sample as large as the figure lists all its charges')
})

/** the rule set text without one rule, nor the acknowledgements that name it (`with: [...]`) */
function withoutRule (text: string, id: string): string {
  return text.replace(new RegExp(`^ {2}- id: ${id}\\n(?: {4}.*\\n)*`, 'm'), '')
    .replace(/with: \[([^\]]*)\]/g, (_, list: string) => `with: [${list.split(',').map((s) => s.trim()).filter((s) => s !== id).join(', ')}]`)
}

t.test('without each rule: the decisions that change and the fraud caught or lost, as the candidate without the rule decides', async (t) => {
  const report = await backtest(t)
  const candidate = await compile(t, CANDIDATE_TEXT)
  const live = report.candidate.rules.filter((r) => r.hits.count > 0)
  t.ok(live.length >= 10)
  for (const rule of live) {
    const without = await compile(t, withoutRule(CANDIDATE_TEXT, rule.rule))
    t.notOk(without.original.rules.some((r) => r.id === rule.rule), `${rule.rule} removed`)
    const want = { changed: 0, fraud_caught_lost: 0, fraud_caught_gained: 0, good_blocked_lost: 0, good_blocked_gained: 0 }
    for (const r of records) {
      const a = evaluate(candidate.replay, r.features).decision
      const b = evaluate(without.replay, r.features).decision
      if (a === b) continue
      want.changed++
      const o = outcomeOf(r)
      if (o === 'fraud' && a === 'block') want.fraud_caught_lost++
      if (o === 'fraud' && b === 'block') want.fraud_caught_gained++
      if (o === 'good' && a === 'block') want.good_blocked_lost++
      if (o === 'good' && b === 'block') want.good_blocked_gained++
    }
    const got = rule.without
    t.same(got === null ? null : { changed: got.changed.count, fraud_caught_lost: got.fraud_caught_lost, fraud_caught_gained: got.fraud_caught_gained, good_blocked_lost: got.good_blocked_lost, good_blocked_gained: got.good_blocked_gained }, want, rule.rule)
  }
  t.ok(report.candidate.shadow_rules.every((r) => r.without === null), 'shadow rules change nothing')
})

t.test('the fraud the candidate still allows: every such charge counted, the largest listed with rates, else the latest', async (t) => {
  const candidate = await compile(t, CANDIDATE_TEXT)
  const allowed = records.filter((r) => outcomeOf(r) === 'fraud' && evaluate(candidate.replay, r.features).decision === 'allow')
  t.ok(allowed.length > 10)
  const rates = { base: 'USD', rates: { THB: 0.0286 } }
  const cases = [
    { name: 'without rates: the latest first', extra: {}, want: [...allowed].reverse().slice(0, 8) },
    {
      name: 'with rates: the largest in the reporting currency first',
      extra: { rates: { rates, source: 'rates.json' } },
      want: [...allowed].sort((a, b) => convertAmounts({ [b.currency]: b.amount }, rates).minor - convertAmounts({ [a.currency]: a.amount }, rates).minor).slice(0, 8)
    }
  ]
  for (const c of cases) {
    const report = await backtest(t, { maxFraudAllowed: 8, ...c.extra })
    t.equal(report.fraud_allowed.total.count, allowed.length, c.name)
    const amounts: Record<string, number> = {}
    for (const r of allowed) amounts[r.currency] = (amounts[r.currency] ?? 0) + r.amount
    t.same(report.fraud_allowed.total.amounts, amounts)
    t.same(report.fraud_allowed.charges.map((r) => r.charge_id), c.want.map((r) => r.charge_id), c.name)
    t.ok(report.fraud_allowed.charges.every((r) => r.candidate.decision === 'allow' && FRAUD.has(r.outcome ?? '')))
  }
})

t.test('amounts in one reporting currency with the analyst\'s rates; currencies without a rate stay apart', async (t) => {
  const report = await backtest(t, { rates: { rates: { base: 'USD', rates: { THB: 0.0286 } }, source: 'rates.json' } })
  const text = formatTerminalReport(report)
  t.match(text, /^amounts in USD, converted with the rates of rates\.json$/m)
  t.match(text, /^ {2}block +[\d,]+ \([\d.]+%\) +USD [\d,]+\.\d\d +[\d,]+ \([\d.]+%\) +USD [\d,]+\.\d\d +[+-]?[\d,]+$/m, 'one figure per amount')
  t.notMatch(text.split('fraud the candidate still allows')[0] ?? '', /THB [\d,]/, 'no THB figure: every total is in USD')
  t.match(text, /^ {2}ch_\S+ {2}\S+ {2}THB [\d,.]+ \(USD [\d,.]+\) {2}/m, 'a charge in its own currency, and converted')
  const block = report.candidate.decisions.block.amounts
  const want = Math.round((block.USD ?? 0) + (block.THB ?? 0) / 100 * 0.0286 * 100)
  t.ok(text.includes(`USD ${(want / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`), 'the candidate\'s blocked amount, converted')
  t.same(report.rates, { base: 'USD', rates: { THB: 0.0286 }, source: 'rates.json', missing: [] })
  const html = renderHtmlReport(report)
  t.match(html, /amounts in USD, converted with the rates of rates\.json/)

  const partial = await backtest(t, { rates: { rates: { base: 'EUR', rates: { USD: 0.93 } }, source: 'eur.csv' } })
  t.same(partial.rates?.missing, ['THB'])
  t.ok(partial.notes.some((n) => /The rates \(eur\.csv\) do not give THB: those amounts are shown apart, never converted/.test(n)))
  t.match(formatTerminalReport(partial), /EUR [\d,.]+ \+ THB [\d,.]+ \(no rate\)/)
})

t.test('the HTML report: score histograms mark the thresholds; the threshold chart reaches thresholds 30 to 50', async (t) => {
  const report = await backtest(t, { current: { ruleSet: await compile(t, TEXT) } })
  const html = renderHtmlReport(report)
  t.match(html, /Score distribution by outcome: current.*?review 50.*?block 80/s, 'the current thresholds on its histogram')
  t.match(html, /Score distribution by outcome: candidate.*?review 50.*?block 70/s, 'the candidate\'s on its own')
  const curve = /<svg[^>]*aria-label="Fraud caught vs good charges blocked[^"]*">.*?<\/svg>/s.exec(html)?.[0] ?? ''
  const labels = [...curve.matchAll(/<text[^>]*fill="#555">([^<]+)<\/text>/g)].map((m) => m[1])
  t.ok(['30', '40', '50'].every((l) => labels.some((x) => x === l || x?.split('-').includes(l))), `thresholds 30-50 labelled (${labels.join(' ')})`)
})
