import t from 'tap'
import { createHmac } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { runCli } from '../../src/cli/main.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { ANALYST_SECRET, buildTestApp, charge, rootDir, SCORE_SECRET, scoreAuth } from '../helpers/app.js'
import { captureIo } from '../helpers/cli-io.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-0123456789abcdef0123456789' // the test app's
const WEBHOOK_SECRET = Buffer.from('riskgate-export-test-webhook-key')

const records = (ndjson: string): DecisionRecord[] => ndjson.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as DecisionRecord)

async function scoreSome (app: FastifyInstance, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
    ids.push(res.json().decision_id)
  }
  await app.outbox.flush()
  return ids
}

t.test('--help, and refusals of usage', async (t) => {
  const help = captureIo({ cwd: rootDir })
  t.equal(await runCli(['decisions', 'export', '--help'], help), 0)
  t.match(help.out(), /usage: riskgate decisions export/)
  const overview = captureIo({ cwd: rootDir })
  await runCli(['--help'], overview)
  t.match(overview.out(), /riskgate decisions export/)

  const none = captureIo({ cwd: rootDir, env: {} })
  t.equal(await runCli(['decisions', 'export'], none), 2)
  t.match(none.err(), /no source/)
  const badFrom = captureIo({ cwd: rootDir, env: { RISKGATE_REDIS_URL: 'redis://127.0.0.1:1' } })
  t.equal(await runCli(['decisions', 'export', '--from', 'last week'], badFrom), 2)
  t.match(badFrom.err(), /--from takes an ISO 8601/)
  const unknown = captureIo({ cwd: rootDir })
  t.equal(await runCli(['decisions', 'export', '--since', '2026-01-01'], unknown), 2)
  const noKey = captureIo({ cwd: rootDir, env: {} })
  t.equal(await runCli(['decisions', 'export', '--url', 'http://127.0.0.1:1'], noKey), 2)
  t.match(noKey.err(), /RISKGATE_API_KEY/)
})

t.test('from Redis: every decision with its latest outcome (API and Omise webhook), oldest first', { skip: externalRedisUrl() !== undefined && 'the app writes under the default key prefix' }, async (t) => {
  const redis = await startRedis(t)
  // a log of 8 partitions, which it keeps in Redis: the export reads its count there
  const { app } = await buildTestApp(t, { redis: { url: redis.url }, omiseWebhookSecrets: [WEBHOOK_SECRET], decisionLog: { partitions: 8 } })
  const ids = await scoreSome(app, 12)

  await app.inject({ method: 'POST', url: `/v1/decisions/${ids[0] ?? ''}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'fraud' }) })
  const event = JSON.stringify({ object: 'event', id: 'evnt_test_export_1', key: 'dispute.create', data: { object: 'dispute', id: 'dspt_test_1', charge: { object: 'charge', id: 'chrg_test_e1', metadata: { riskgate_decision_id: ids[5] } } } })
  const ts = String(Math.floor(Date.now() / 1000))
  const webhook = await app.inject({
    method: 'POST',
    url: '/v1/webhooks/omise',
    headers: { 'content-type': 'application/json', 'omise-signature': createHmac('sha256', WEBHOOK_SECRET).update(`${ts}.${event}`).digest('hex'), 'omise-signature-timestamp': ts },
    payload: event
  })
  t.equal(webhook.statusCode, 200)
  await app.outbox.flush()

  const io = captureIo({ cwd: rootDir, env: { RISKGATE_REDIS_URL: redis.url, RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['decisions', 'export'], io), 0, io.err())
  const exported = records(io.out())
  t.same(exported.map((r) => r.decision_id).sort(), [...ids].sort(), 'all twelve')
  t.ok(exported.every((r, i) => i === 0 || (exported[i - 1] as DecisionRecord).at <= r.at), 'oldest first across the 8 partitions')
  // a count that contradicts the log's is refused, not followed
  const contradicting = captureIo({ cwd: rootDir, env: { RISKGATE_REDIS_URL: redis.url, RISKGATE_DECISION_LOG_PARTITIONS: '2' } })
  t.equal(await runCli(['decisions', 'export'], contradicting), 2)
  t.match(contradicting.err(), /the decision log in Redis has 8 partition\(s\), RISKGATE_DECISION_LOG_PARTITIONS is 2/)
  t.equal(contradicting.out(), '', 'nothing exported')
  const byId = new Map(exported.map((r) => [r.decision_id, r]))
  t.equal(byId.get(ids[0] ?? '')?.outcome?.label, 'fraud')
  t.equal(byId.get(ids[0] ?? '')?.outcome?.source, 'api')
  t.equal(byId.get(ids[5] ?? '')?.outcome?.label, 'chargeback')
  t.equal(byId.get(ids[5] ?? '')?.outcome?.event_id, 'evnt_test_export_1')
  t.equal(exported.filter((r) => r.outcome !== undefined).length, 2)
  t.match(io.err(), /exporting decisions: 12 in/, 'a final count on stderr')
  t.notOk(io.out().includes('somchai@'), 'identifiers stay hashed')

  const at5 = byId.get(ids[5] ?? '')?.at ?? ''
  const ranged = captureIo({ cwd: rootDir, env: { RISKGATE_REDIS_URL: redis.url, RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['decisions', 'export', '--from', at5, '--quiet'], ranged), 0)
  t.same(records(ranged.out()).map((r) => r.decision_id), exported.filter((r) => r.at >= at5).map((r) => r.decision_id))
  t.equal(ranged.err(), '', '--quiet')

  const wrongKey = captureIo({ cwd: rootDir, env: { RISKGATE_REDIS_URL: redis.url, RISKGATE_HASH_KEY: 'another-hash-key-0123456789abcdef0123' } })
  t.equal(await runCli(['decisions', 'export', '--quiet'], wrongKey), 0)
  // each record keeps its decision's field, and outcomes are kept by that field: reading the log
  // needs no key (identifiers stay digests of the service's key whatever key the export is given)
  t.same(records(wrongKey.out()), exported, 'the same records and outcomes with another hash key')

  const dir = t.testdir({})
  const file = captureIo({ cwd: dir, env: { RISKGATE_REDIS_URL: redis.url, RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['decisions', 'export', '--out', 'decisions.ndjson'], file), 0)
  t.equal(file.out(), '', 'nothing on stdout')
  t.same(records(readFileSync(path.join(dir, 'decisions.ndjson'), 'utf8')), exported)
  t.notOk(existsSync(path.join(dir, 'decisions.ndjson.partial')))
})

t.test('Redis unreachable: exit 3, no partial file', async (t) => {
  const dir = t.testdir({})
  const io = captureIo({ cwd: dir, env: { RISKGATE_REDIS_URL: 'redis://127.0.0.1:1', RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['decisions', 'export', '--out', 'x.ndjson'], io), 3)
  t.match(io.err(), /Redis is not reachable/)
  t.notOk(existsSync(path.join(dir, 'x.ndjson')) || existsSync(path.join(dir, 'x.ndjson.partial')))
})

t.test('--url: from a running riskgate without Redis, with an analyst key', async (t) => {
  const { app } = await buildTestApp(t)
  const ids = await scoreSome(app, 3)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`

  const io = captureIo({ cwd: rootDir, env: { RISKGATE_API_KEY: ANALYST_SECRET } })
  t.equal(await runCli(['decisions', 'export', '--url', url], io), 0, io.err())
  t.same(records(io.out()).map((r) => r.decision_id), ids)
  t.match(io.err(), /exporting decisions: 3 in/)

  const filtered = captureIo({ cwd: rootDir, env: { RISKGATE_API_KEY: ANALYST_SECRET } })
  t.equal(await runCli(['decisions', 'export', '--url', url, '--to', '2020-01-01'], filtered), 0)
  t.equal(filtered.out(), '')

  const wrong = captureIo({ cwd: rootDir, env: { RISKGATE_API_KEY: SCORE_SECRET } })
  t.equal(await runCli(['decisions', 'export', '--url', url], wrong), 3)
  t.match(wrong.err(), /answered 403: forbidden/)
  t.notOk(wrong.err().includes(SCORE_SECRET), 'the key is never printed')

  const down = captureIo({ cwd: rootDir, env: { RISKGATE_API_KEY: ANALYST_SECRET } })
  t.equal(await runCli(['decisions', 'export', '--url', 'http://127.0.0.1:1'], down), 3)
})
