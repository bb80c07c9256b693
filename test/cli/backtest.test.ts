import t from 'tap'
import type { Test } from 'tap'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../../src/cli/main.js'
import type { BacktestReport } from '../../src/backtest/report.js'
import { rootDir } from '../helpers/test-data.js'
import { captureIo } from '../helpers/cli-io.js'
import { generateCharges, RECORDING_HASH_KEY, recordDecisions, toNdjson } from '../helpers/recorded-decisions.js'

const RULES = path.join(rootDir, 'rules')

async function recordedFile (t: Test, count = 800): Promise<{ dir: string, file: string, ndjson: string, blocked: number }> {
  const { records } = await recordDecisions(t, generateCharges(count, 21))
  const ndjson = toNdjson(records)
  const dir = t.testdir({ 'decisions.ndjson': ndjson })
  return { dir, file: path.join(dir, 'decisions.ndjson'), ndjson, blocked: records.filter((r) => r.fired.includes('blocked_email')).length }
}

t.test('replays a file through the live rules: 100% reproduced, text report and HTML file', async (t) => {
  const { dir } = await recordedFile(t)
  const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--html', 'report.html'], io), 0, io.err())
  t.match(io.out(), /^backtest: 800 recorded decisions from decisions\.ndjson/)
  t.match(io.out(), /replay check: 800 records were decided with the candidate's exact rule set; 800 replayed to the same decision, score and rules \(100\.00%\)/)
  t.match(io.out(), /^decisions that change: 0 \(0\.0%\), -/m)
  t.match(io.err(), /^replaying: 800 in [\d.]+ s/m)
  t.match(io.err(), /HTML report written to report\.html/)
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8')
  t.match(html, /^<!doctype html>/)
  t.notMatch(html, /<script|\bsrc=|\bhref="(?!#)/i, 'self-contained: no script, no external asset, links within the file')
})

t.test('reads stdin; --json prints the report as data', async (t) => {
  const { dir, ndjson } = await recordedFile(t, 300)
  const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY }, stdin: ndjson })
  t.equal(await runCli(['backtest', '--rules', RULES, '--json'], io), 0)
  const report = JSON.parse(io.out()) as BacktestReport
  t.equal(report.input.source, 'stdin')
  t.equal(report.fidelity.reproduced, 300)
  t.equal(report.candidate.ruleset?.version, '2026-12-05.1')
})

t.test('the development hash key is used when RISKGATE_HASH_KEY is not set; without any key the replay says what it cannot match', async (t) => {
  const { dir, blocked } = await recordedFile(t)
  t.ok(blocked > 0)
  writeFileSync(path.join(dir, 'dev-hash-key'), RECORDING_HASH_KEY + '\n')
  const dev = captureIo({ cwd: dir, env: { RISKGATE_DEV_STATE_DIR: '.' } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--json'], dev), 0)
  const withDev = JSON.parse(dev.out()) as BacktestReport
  t.equal(withDev.fidelity.reproduced, 800)
  t.ok(withDev.notes.some((n) => /development hash key/.test(n)))

  const none = captureIo({ cwd: dir, env: { RISKGATE_DEV_STATE_DIR: 'nowhere' } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--json'], none), 0)
  t.match(none.err(), /No RISKGATE_HASH_KEY \(nor development key\)/)
  const without = JSON.parse(none.out()) as BacktestReport
  t.ok(without.fidelity.reproduced <= 800 - blocked)
})

t.test('--current replays a second folder; --refund picks how refunds count', async (t) => {
  const { dir } = await recordedFile(t, 300)
  const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--current', RULES, '--input', 'decisions.ndjson', '--refund', 'fraud', '--json'], io), 0)
  const report = JSON.parse(io.out()) as BacktestReport
  t.equal(report.current.source, 'replayed')
  t.equal(report.refund_as, 'fraud')
  t.equal(report.changes.changed.count, 0)
  t.same([report.current_fidelity?.same_ruleset, report.current_fidelity?.reproduced], [300, 300], 'the current set replays its own records too')
  t.same(report.velocity.store.sides, ['candidate', 'current'], 'one store counts for both')
})

t.test('exit codes: usage 2, unreadable 3, refused rule set or no records 1', async (t) => {
  const { dir } = await recordedFile(t, 50)
  const env = { RISKGATE_HASH_KEY: RECORDING_HASH_KEY }
  const run = async (argv: string[], stdin?: string): Promise<{ code: number, err: string }> => {
    const io = captureIo({ cwd: dir, env, ...(stdin !== undefined ? { stdin } : {}) })
    const code = await runCli(argv, io)
    return { code, err: io.err() }
  }
  t.match(await run(['backtest', '--input', 'decisions.ndjson']), { code: 2, err: /--rules <candidate dir> is required/ })
  t.match(await run(['backtest', '--rules', RULES, '--refund', 'maybe']), { code: 2, err: /--refund must be fraud, good or unlabelled/ })
  t.match(await run(['backtest', '--rules', RULES, 'extra']), { code: 2 })
  t.match(await run(['backtest', '--rules', 'missing-dir']), { code: 3, err: /candidate: cannot read .*missing-dir\/ruleset\.yaml: ENOENT/ })
  t.match(await run(['backtest', '--rules', RULES, '--current', 'missing-dir']), { code: 3, err: /current: cannot read/ })
  t.match(await run(['backtest', '--rules', RULES, '--input', 'nope.ndjson']), { code: 3, err: /cannot read nope\.ndjson: ENOENT/ })
  const broken = path.join(dir, 'broken')
  mkdirSync(broken)
  writeFileSync(path.join(broken, 'ruleset.yaml'), 'version: "b"\nthresholds: { review: 50, block: 80 }\nrules:\n  - id: r\n    when: amount > "1"\n    score: 1\n')
  t.match(await run(['backtest', '--rules', broken, '--input', 'decisions.ndjson']), { code: 1, err: /candidate: the rule set has errors \(1\):\n.*ruleset\.yaml:5:11 rule r: type error/ })
  t.match(await run(['backtest', '--rules', RULES], 'not a record\n'), { code: 1, err: /no decision record in stdin \(1 lines are not decision records\)/ })
  t.match(await run(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--html', path.join('no', 'such', 'dir', 'r.html')]), { code: 3, err: /cannot write/ })
  t.match(await run(['backtest', '--rules', RULES, '--from', 'decisions.ndjson']),
    { code: 2, err: /--from must be an ISO 8601 date or time \(2026-11-01, 2026-11-01T08:00:00Z\); the records file is given with --input <file>/ })
  t.match(await run(['backtest', '--rules', RULES, '--to', 'tomorrow']), { code: 2, err: /--to must be an ISO 8601 date or time/ })
  t.match(await run(['backtest', '--rules', RULES, '--velocity-max-entities', '0']), { code: 2, err: /--velocity-max-entities must be a positive integer/ })
  t.match(await run(['backtest', '--rules', RULES, '--velocity-max-cells', '1e6']), { code: 2, err: /--velocity-max-cells must be a positive integer/ })
  t.match(await run(['backtest', '--rules', RULES, '--rates', 'missing.json']), { code: 3, err: /cannot read missing\.json: ENOENT/ })
  writeFileSync(path.join(dir, 'bad-rates.csv'), 'currency,rate\nEUR,1.08\n')
  t.match(await run(['backtest', '--rules', RULES, '--rates', 'bad-rates.csv']), { code: 3, err: /bad-rates\.csv is not a rates file: the first line must be the header base,currency,rate/ })
  t.match(await run(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--from', '2030-01-01']), { code: 1, err: /no decision record in decisions\.ndjson within the period \(50 outside it\)/ })
  t.notOk(existsSync(path.join(dir, 'no')))
})

t.test('--from and --to report a period; earlier records warm the counters up', async (t) => {
  const { dir, ndjson } = await recordedFile(t, 400)
  const lines = ndjson.trim().split('\n').map((l) => JSON.parse(l) as { at: string })
  const from = lines[200]?.at ?? ''
  const to = lines[300]?.at ?? ''
  const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--from', from, '--to', to, '--json'], io), 0, io.err())
  const report = JSON.parse(io.out()) as BacktestReport
  t.same([report.input.records, report.input.before_period, report.input.after_period], [100, 200, 100])
  t.same(report.filter, { from, to })
  t.equal(report.fidelity.reproduced, 100)
  const text = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--from', from.slice(0, 10)], text), 0)
  t.match(text.out(), /^period: 2026-10-01T00:00:00\.000Z to the last record; 0 earlier records only warm the velocity counters up, 0 later ones are ignored$/m)
})

t.test('--rates converts amounts into one currency (JSON or CSV); --count-blocked-outcomes counts the outcomes of blocked charges', async (t) => {
  const { dir, ndjson } = await recordedFile(t, 300)
  writeFileSync(path.join(dir, 'rates.json'), JSON.stringify({ base: 'USD', rates: { THB: 0.0286 } }))
  writeFileSync(path.join(dir, 'rates.csv'), 'base,currency,rate\nUSD,THB,0.0286\n')
  const reports: BacktestReport[] = []
  for (const file of ['rates.json', 'rates.csv']) {
    const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
    t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--rates', file, '--json'], io), 0, io.err())
    reports.push(JSON.parse(io.out()) as BacktestReport)
    const text = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
    t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'decisions.ndjson', '--rates', file], text), 0)
    t.match(text.out(), new RegExp(`^amounts in USD, converted with the rates of ${file.replace('.', '\\.')}$`, 'm'))
  }
  t.same(reports.map((r) => r.rates), [
    { base: 'USD', rates: { THB: 0.0286 }, source: 'rates.json', missing: [] },
    { base: 'USD', rates: { THB: 0.0286 }, source: 'rates.csv', missing: [] }
  ])

  const labelled = ndjson.trim().split('\n').map((l) => {
    const r = JSON.parse(l) as { decision: string, at: string, outcome?: unknown }
    return JSON.stringify(r.decision === 'block' ? { ...r, outcome: { label: 'fraud', at: r.at, source: 'api' } } : r)
  }).join('\n') + '\n'
  writeFileSync(path.join(dir, 'labelled.ndjson'), labelled)
  const runs: BacktestReport[] = []
  for (const flag of [[], ['--count-blocked-outcomes']]) {
    const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
    t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'labelled.ndjson', '--json', ...flag], io), 0)
    runs.push(JSON.parse(io.out()) as BacktestReport)
  }
  const [aside, counted] = runs as [BacktestReport, BacktestReport]
  t.ok(aside.blocked_outcomes.blocked > 0)
  t.same([aside.blocked_outcomes.counted, aside.blocked_outcomes.set_aside, aside.current.metrics.precision], [false, aside.blocked_outcomes.blocked, null])
  t.same([counted.blocked_outcomes.counted, counted.blocked_outcomes.set_aside, counted.current.metrics.precision], [true, 0, 1])
  const text = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: RECORDING_HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', RULES, '--input', 'labelled.ndjson'], text), 0)
  t.match(text.out(), /^!! Selection bias: [\d,]+ charges were blocked live\./m)
})

t.test('--help', async (t) => {
  const io = captureIo({ cwd: rootDir })
  t.equal(await runCli(['backtest', '--help'], io), 0)
  t.match(io.out(), /^usage: riskgate backtest --rules <candidate dir> \[--input <file\.ndjson>\] \[--from <time>\] \[--to <time>\]/)
  for (const option of ['--rates <file>', '--count-blocked-outcomes', '--velocity-max-entities <n>']) t.ok(io.out().includes(option), option)
  t.match(io.out(), /riskgate decisions export/)
})
