import t from 'tap'
import type { Test } from 'tap'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { runCli } from '../../src/cli/main.js'
import { readImportRows } from '../../src/cli/import-rows.js'
import type { InputRow } from '../../src/cli/import-rows.js'
import type { BacktestReport } from '../../src/backtest/report.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { ANALYST_SECRET, analystAuth, buildTestApp, rootDir, SCORE_SECRET } from '../helpers/app.js'
import { score, uniqueCharge } from '../helpers/analyst.js'
import { captureIo } from '../helpers/cli-io.js'
import { csvText, genericCsv, genericNdjson, omiseCsv, STRIPE_DISPUTES_HEADER, stripeDisputesCsv, utcText } from '../helpers/outcome-exports.js'

const HASH_KEY = 'test-hash-key-0123456789abcdef0123456789' // the test app's
const DAY = 86_400_000
const NOW = Date.now()
const env = { RISKGATE_API_KEY: ANALYST_SECRET }

/** the test app, listening on an ephemeral port of 127.0.0.1 */
async function listening (t: Test): Promise<{ app: FastifyInstance, url: string, logs: string[] }> {
  const { app, logs } = await buildTestApp(t)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, logs }
}

async function recorded (app: FastifyInstance, chargeId: string, decision: 'allow' | 'review' = 'allow'): Promise<string> {
  const scored = await score(app, uniqueCharge(decision, { charge_id: chargeId }))
  await app.outbox.flush()
  return scored.decision_id
}

async function outcomeOf (app: FastifyInstance, id: string): Promise<DecisionRecord['outcome']> {
  await app.outbox.flush()
  return (await app.inject({ method: 'GET', url: `/v1/decisions/${id}`, headers: analystAuth })).json<DecisionRecord>().outcome
}

async function cli (argv: string[], cwd: string, options: { env?: Record<string, string>, stdin?: string, tty?: boolean } = {}): Promise<{ code: number, out: string, err: string }> {
  const io = captureIo({ cwd, env: options.env ?? env, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}), ...(options.tty === true ? { tty: true } : {}) })
  const code = await runCli(argv, io)
  return { code, out: io.out(), err: io.err() }
}

t.test('--help, and refusals of usage', async (t) => {
  const help = await cli(['outcomes', 'import', '--help'], rootDir)
  t.equal(help.code, 0)
  t.match(help.out, /usage: riskgate outcomes import <file\.csv\|file\.ndjson\|->/)
  t.match((await cli(['--help'], rootDir)).out, /riskgate outcomes import/)
  const usage = async (argv: string[], pattern: RegExp, e: Record<string, string> = env): Promise<void> => {
    const run = await cli(['outcomes', 'import', ...argv], rootDir, { env: e })
    t.equal(run.code, 2, argv.join(' '))
    t.match(run.err, pattern)
  }
  await usage(['--format', 'generic', '--url', 'http://127.0.0.1:1'], /the file to import is required/)
  await usage(['x.csv', '--url', 'http://127.0.0.1:1'], /--format must be stripe-disputes, omise, generic/)
  await usage(['x.csv', '--format', 'paypal', '--url', 'http://127.0.0.1:1'], /--format must be/)
  await usage(['x.csv', '--format', 'generic'], /--url of the running riskgate is required/)
  await usage(['x.csv', '--format', 'generic', '--url', 'ftp://host'], /--url must be http/)
  await usage(['x.csv', '--format', 'generic', '--url', 'http://127.0.0.1:1'], /RISKGATE_API_KEY/, {})
  await usage(['x.csv', '--format', 'generic', '--url', 'http://127.0.0.1:1', '--batch', '1001'], /--batch must be an integer from 1 to 1000/)
  await usage(['x.csv', 'y.csv', '--format', 'generic', '--url', 'http://127.0.0.1:1'], /unexpected argument "y\.csv"/)
  const missing = await cli(['outcomes', 'import', 'none.csv', '--format', 'generic', '--url', 'http://127.0.0.1:1'], t.testdir({}))
  t.equal(missing.code, 3)
  t.match(missing.err, /cannot read none\.csv: ENOENT/)
})

t.test('a Stripe disputes export end to end: applied, held, refused with their lines; imported again, nothing is applied', async (t) => {
  const { app, url, logs } = await listening(t)
  const ids = [await recorded(app, 'ch_3QcliCharge0001'), await recorded(app, 'ch_3QcliCharge0002'), await recorded(app, 'pi_3QcliIntent0003')]
  const created = NOW - 6 * DAY
  const disputes = stripeDisputesCsv([
    { id: 'du_1QcliDispute01', chargeId: 'ch_3QcliCharge0001', reason: 'fraudulent', status: 'lost', createdMs: created },
    { id: 'du_1QcliDispute02', chargeId: 'ch_3QcliCharge0002', reason: 'product_not_received', status: 'needs_response', createdMs: created },
    { id: 'du_1QcliDispute03', chargeId: 'ch_3QcliCharge0003', paymentIntentId: 'pi_3QcliIntent0003', reason: 'fraudulent', status: 'won', createdMs: created },
    { id: 'du_1QcliDispute04', chargeId: 'ch_3QcliNeverScored', reason: 'general', status: 'needs_response', createdMs: created }
  ])
  // a row cut short by hand, and one with a time Stripe never writes
  const file = disputes + 'du_1QcliDispute05,2026-11-01 10:00:00,12.00\r\n' +
    csvText(STRIPE_DISPUTES_HEADER, [['du_1QcliDispute06', '2026-11-31 10:00:00', '1.00', 'thb', 'general', 'lost', 'ch_3QcliCharge0001', '', '', '', '', '', '', '', '']]).split('\r\n')[1] + '\r\n'
  const dir = t.testdir({ 'disputes.csv': file })

  const first = await cli(['outcomes', 'import', 'disputes.csv', '--format', 'stripe-disputes', '--url', url, '--batch', '2'], dir)
  t.equal(first.code, 1, 'rows were refused')
  t.match(first.out, /^6 rows read from disputes\.csv \(stripe-disputes\)$/m)
  t.match(first.out, /^ {2}applied  +3\b {2}matched a recorded decision/m)
  t.match(first.out, /^ {2}already applied  +0\b/m)
  t.match(first.out, /^ {2}held  +1\b {2}no recorded decision yet/m)
  t.match(first.out, /^ {2}refused  +2\b$/m)
  // every dispute's description spans two lines: the header is line 1, dispute n starts on line 2n, the cut row on 10
  t.match(first.out, /^ {2}line 10: column_count: 3 fields where the header has 15$/m)
  t.match(first.out, /^ {2}line 11: invalid_time: Created \(UTC\) is not a date and time/m)
  t.match(first.err, /^importing outcomes: 6 in [\d.]+ s/m, 'the final progress line on stderr')
  t.match(await outcomeOf(app, ids[0] ?? ''), { label: 'fraud', source: 'import', event_id: 'du_1QcliDispute01', actor: 'key:analyst' })
  t.match(await outcomeOf(app, ids[1] ?? ''), { label: 'chargeback' })
  t.match(await outcomeOf(app, ids[2] ?? ''), { label: 'fraud', event_id: 'du_1QcliDispute03' })

  const again = await cli(['outcomes', 'import', 'disputes.csv', '--format', 'stripe-disputes', '--url', url, '--quiet'], dir)
  t.match(again.out, /^ {2}applied  +0\b/m)
  t.match(again.out, /^ {2}already applied  +4\b/m, 'the three applied and the held one')
  t.equal(again.err, '', '--quiet')
  t.same((await app.inject({ method: 'GET', url: `/v1/decisions/${ids[0] ?? ''}`, headers: analystAuth })).json<DecisionRecord>().outcomes?.length, 1)

  // the held dispute's charge is scored now: its outcome follows the record
  const late = await recorded(app, 'ch_3QcliNeverScored')
  t.match(await outcomeOf(app, late), { label: 'chargeback', event_id: 'du_1QcliDispute04' })
  t.notOk(logs.join('').includes('somchai@'), 'the customer\'s email is nowhere in the logs')
})

t.test('what leaves the machine: only the columns the format reads', async (t) => {
  const rows: InputRow[] = []
  const file = stripeDisputesCsv([{ id: 'du_1', chargeId: 'ch_1', reason: 'fraudulent', status: 'lost', createdMs: NOW, email: 'shopper@example.com', decisionId: '0f8fad5b-d9cb-869f-a165-70867728950e' }])
  for await (const row of readImportRows([Buffer.from(file)], 'csv', 'stripe-disputes')) rows.push(row)
  t.same(rows, [{ line: 2, row: { id: 'du_1', 'Created (UTC)': utcText(NOW), Reason: 'fraudulent', Status: 'lost', 'Charge ID': 'ch_1', 'Payment Intent ID': '', 'riskgate_decision_id (metadata)': '0f8fad5b-d9cb-869f-a165-70867728950e' } }])
  const ndjson: InputRow[] = []
  const lines = '{"id":"dspt_test_1","charge":{"id":"chrg_1"},"metadata":{"riskgate_charge_id":"o_1"},"card":{"name":"SOMCHAI"},"email":"a@b.c"}\r\n\r\nnot json\n[1]\n'
  for await (const row of readImportRows([lines.slice(0, 30), lines.slice(30)], 'ndjson', 'omise')) ndjson.push(row)
  t.same(ndjson, [
    // an expanded object's id is its charge_id
    { line: 1, row: { id: 'dspt_test_1', 'charge.id': 'chrg_1', 'metadata.riskgate_charge_id': 'o_1' } },
    { line: 3, refused: { code: 'invalid_json', message: 'not JSON' } },
    { line: 4, refused: { code: 'invalid_json', message: 'not a JSON object' } }
  ])
})

t.test('Omise and generic files, CSV or NDJSON, from a file or stdin; a clean import exits 0', async (t) => {
  const { app, url } = await listening(t)
  const disputed = await recorded(app, 'chrg_test_cli_0001')
  const refunded = await recorded(app, 'order_cli_refund')
  const labelled = await recorded(app, 'order_cli_generic')
  const dir = t.testdir({
    'omise.csv': omiseCsv([
      { id: 'dspt_test_5cli01', kind: 'dispute', charge: 'chrg_test_cli_0001', createdMs: NOW - DAY, status: 'open' },
      { id: 'rfnd_test_5cli02', kind: 'refund', charge: 'chrg_test_cli_0002', chargeId: 'order_cli_refund', createdMs: NOW - DAY, status: 'closed' }
    ]),
    'labels.ndjson': genericNdjson([{ charge_id: 'order_cli_generic', outcome: 'legit', note: 'delivered, signed for' }]),
    'labels.csv': genericCsv([{ decision_id: labelled, outcome: 'fraud', reported_at: new Date(NOW - DAY).toISOString() }])
  })
  const omise = await cli(['outcomes', 'import', 'omise.csv', '--format', 'omise', '--url', url], dir, { tty: true })
  t.equal(omise.code, 0, omise.err)
  t.match(omise.out, /^ {2}applied  +2\b/m)
  t.match(await outcomeOf(app, disputed), { label: 'chargeback' })
  t.match(await outcomeOf(app, refunded), { label: 'refund' })

  const ndjson = await cli(['outcomes', 'import', 'labels.ndjson', '--format', 'generic', '--url', url], dir)
  t.equal(ndjson.code, 0)
  t.match(await outcomeOf(app, labelled), { label: 'legit', note: 'delivered, signed for' })
  const fromStdin = await cli(['outcomes', 'import', '-', '--format', 'generic', '--url', url], dir, { stdin: genericCsv([{ decision_id: labelled, outcome: 'chargeback' }]) })
  t.equal(fromStdin.code, 0, fromStdin.err)
  t.match(fromStdin.out, /^1 row read from stdin \(generic\)$/m)
  t.match(await outcomeOf(app, labelled), { label: 'chargeback' })
  const csv = await cli(['outcomes', 'import', 'labels.csv', '--format', 'generic', '--url', url], dir)
  t.match(csv.out, /^ {2}applied  +1\b/m)
  t.match(await outcomeOf(app, labelled), { label: 'fraud' })
})

t.test('a header without the columns a format needs sends nothing; riskgate refusing or unreachable exits 3', async (t) => {
  const { app, url } = await listening(t)
  const id = await recorded(app, 'order_cli_header')
  const dir = t.testdir({
    'wrong.csv': 'Dispute,Amount\r\ndu_1,1.00\r\n',
    'empty.csv': '',
    'labels.csv': genericCsv([{ decision_id: id, outcome: 'fraud' }])
  })
  const wrong = await cli(['outcomes', 'import', 'wrong.csv', '--format', 'stripe-disputes', '--url', url], dir)
  t.equal(wrong.code, 1)
  t.match(wrong.err, /wrong\.csv: the header has no column id, no column Reason, no column Charge ID \(or Payment Intent ID, riskgate_decision_id, riskgate_charge_id\) \(format stripe-disputes\): nothing was sent/)
  t.equal(wrong.out, '')
  t.equal((await cli(['outcomes', 'import', 'empty.csv', '--format', 'generic', '--url', url], dir)).code, 1)
  t.equal(await outcomeOf(app, id), undefined)

  const merchant = await cli(['outcomes', 'import', 'labels.csv', '--format', 'generic', '--url', url], dir, { env: { RISKGATE_API_KEY: SCORE_SECRET } })
  t.equal(merchant.code, 3)
  t.match(merchant.err, /answered 403: forbidden this API key lacks the "analyst" scope/)
  t.notOk(merchant.err.includes(SCORE_SECRET), 'the key is never printed')
  const down = await cli(['outcomes', 'import', 'labels.csv', '--format', 'generic', '--url', 'http://127.0.0.1:1'], dir)
  t.equal(down.code, 3)
  t.match(down.err, /cannot be reached/)
})

t.test('backtest: a Stripe disputes export imported for recorded decisions, the export of the records carries their labels into the backtest', async (t) => {
  const { app, url } = await listening(t)
  const charges = Array.from({ length: 12 }, (_, i) => `ch_3QbtCharge${String(i).padStart(4, '0')}`)
  for (const [i, chargeId] of charges.entries()) await recorded(app, chargeId, i % 3 === 0 ? 'review' : 'allow')
  const dir = t.testdir({
    'disputes.csv': stripeDisputesCsv([
      { id: 'du_1QbtDispute00', chargeId: charges[0], reason: 'fraudulent', status: 'lost', createdMs: NOW - DAY },
      { id: 'du_1QbtDispute01', chargeId: charges[1], reason: 'fraudulent', status: 'needs_response', createdMs: NOW - DAY },
      { id: 'du_1QbtDispute05', chargeId: charges[5], reason: 'product_unacceptable', status: 'won', createdMs: NOW - DAY }
    ]),
    'labels.csv': genericCsv([{ charge_id: charges[7] ?? '', outcome: 'legit' }])
  })
  t.equal((await cli(['outcomes', 'import', 'disputes.csv', '--format', 'stripe-disputes', '--url', url], dir)).code, 0)
  t.equal((await cli(['outcomes', 'import', 'labels.csv', '--format', 'generic', '--url', url], dir)).code, 0)
  const exported = await cli(['decisions', 'export', '--url', url, '--out', 'decisions.ndjson', '--quiet'], dir)
  t.equal(exported.code, 0, exported.err)

  const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', path.join(rootDir, 'rules'), '--input', 'decisions.ndjson', '--json'], io), 0, io.err())
  const report = JSON.parse(io.out()) as BacktestReport
  t.equal(report.input.records, 12)
  t.equal(report.outcomes.fraud.count, 3, 'the two fraudulent disputes (fraud) and the other (chargeback)')
  t.equal(report.outcomes.good.count, 1)
  t.equal(report.outcomes.unlabelled.count, 8)
  t.equal(report.current.decisions.review.by_outcome.fraud.count, 1, 'the disputed review (charge 0)')
  t.equal(report.current.decisions.allow.by_outcome.fraud.count, 2)
  const text = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', path.join(rootDir, 'rules'), '--input', 'decisions.ndjson'], text), 0)
  t.match(text.out(), /^outcomes: 3 fraud, 1 good, 8 without a usable outcome$/m)
})
