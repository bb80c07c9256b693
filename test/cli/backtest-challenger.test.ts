import t from 'tap'
import path from 'node:path'
import { runCli } from '../../src/cli/main.js'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { analystAuth, ANALYST_SECRET, buildTestApp, charge, SCORE_SECRET, scoreAuth } from '../helpers/app.js'
import { captureIo } from '../helpers/cli-io.js'

const ADMIN_SECRET = 'test-secret-admin-0123456789abcdef'
const apiKeys = parseApiKeys([
  `merchant:score:${sha256(SCORE_SECRET).toString('hex')}`,
  `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
  `ops-admin:admin:${sha256(ADMIN_SECRET).toString('hex')}`
].join(','))

const ruleSet = (version: string, rule: string) => [
  `version: "${version}"`,
  'thresholds: { review: 50, block: 80 }',
  'rules:',
  '  - id: big_amount',
  '    when: amount >= 100000',
  rule,
  ''
].join('\n')

t.test('riskgate backtest challenger: the live set and its challenger on the live traffic both decided', async (t) => {
  const dir = t.testdir({
    live: { 'ruleset.yaml': ruleSet('live.1', '    score: 60') },
    next: { 'ruleset.yaml': ruleSet('next.1', '    score: 90') }
  })
  const { app } = await buildTestApp(t, { rulesDir: path.join(dir, 'live'), apiKeys })
  const staged = await app.inject({ method: 'POST', url: '/v1/rules/challenger', headers: { authorization: `Bearer ${ADMIN_SECRET}` }, payload: { rules_dir: path.join(dir, 'next'), mode: 'enforce', percent: 50 } })
  t.equal(staged.statusCode, 200, staged.body)
  // 40 big charges (fraud) and 60 small ones (good), then 10 before the challenger was staged
  const scored = []
  for (let i = 0; i < 100; i++) {
    const big = i < 40
    const answer = (await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: charge({ amount: big ? 150_000 : 1000, customer_id: `cus_cli_${i}`, email: `cli${i}@example.com` }) })).json()
    scored.push(answer)
    const label = big ? 'fraud' : 'legit'
    t.equal((await app.inject({ method: 'POST', url: `/v1/decisions/${answer.decision_id as string}/outcome`, headers: scoreAuth, payload: { label } })).statusCode, 200)
  }
  await app.inject({ method: 'DELETE', url: '/v1/rules/challenger', headers: { authorization: `Bearer ${ADMIN_SECRET}` } })
  for (let i = 0; i < 10; i++) await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: charge() })
  await app.outbox.flush()
  const ndjson = (await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body
  t.equal(ndjson.trim().split('\n').length, 110)

  const io = captureIo({ cwd: dir, stdin: ndjson })
  t.equal(await runCli(['backtest', 'challenger', '--json'], io), 0, io.err())
  const report = JSON.parse(io.out())
  t.equal(report.records, 110)
  t.equal(report.compared, 100)
  const pair = report.pairs[0]
  const byChallenger = scored.filter((a) => a.ruleset.role === 'challenger').length
  t.match(pair, {
    live: { version: 'live.1' },
    challenger: { version: 'next.1' },
    charges: 100,
    agreed: 60,
    decided_by: { live: 100 - byChallenger, challenger: byChallenger },
    matrix: { review: { block: 40 }, allow: { allow: 60 } },
    outcomes: { fraud: 40, good: 60, unlabelled: 0 },
    sets: {
      live: { fraud_caught: 0, fraud_reviewed: 40, good_blocked: 0, recall: 0 },
      challenger: { fraud_caught: 40, fraud_reviewed: 0, good_blocked: 0, precision: 1, recall: 1 }
    }
  })
  const api = (await app.inject({ method: 'GET', url: '/v1/rules/challenger/comparison', headers: analystAuth })).json()
  t.same(api.pairs, report.pairs, 'the API and the CLI compare alike')

  const text = captureIo({ cwd: dir, stdin: ndjson })
  t.equal(await runCli(['backtest', 'challenger'], text), 0)
  t.match(text.out(), /110 decision records, 100 decided with a challenger beside the live set/)
  t.match(text.out(), /agreement: 60\.0% \(60 of 100\)/)
  t.match(text.out(), /challenger\s+60\s+0\s+40\s+40\s+0\s+0\s+0\s+100\.0%\s+100\.0%/)

  const none = captureIo({ cwd: dir, stdin: ndjson.split('\n').slice(-11).join('\n') })
  t.equal(await runCli(['backtest', 'challenger'], none), 1, 'no record with a challenger')
  t.match(none.err(), /no record in stdin was decided with a challenger/)
  const usage = captureIo({ cwd: dir })
  t.equal(await runCli(['backtest', 'challenger', '--refund', 'maybe'], usage), 2)
  const missing = captureIo({ cwd: dir })
  t.equal(await runCli(['backtest', 'challenger', '--input', 'nope.ndjson'], missing), 3)
  t.match(missing.err(), /cannot read nope\.ndjson/)
  const old = captureIo({ cwd: dir })
  t.equal(await runCli(['backtest', 'challenger', '--from', 'decisions.ndjson'], old), 2, 'the records file is --input, as in riskgate backtest')
  t.match(old.err(), /--input <file>/)
})
