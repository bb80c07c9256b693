import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { analystAuth, buildTestApp, charge, scoreAuth } from '../helpers/app.js'

const HASH_KEY = 'test-hash-key-0123456789abcdef0123456789'

async function score (app: FastifyInstance, body: Record<string, unknown>): Promise<{ decision_id: string, charge_id: string, decision: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(body) })
  if (res.statusCode !== 200) throw new Error(`score: ${res.statusCode} ${res.body}`)
  return res.json()
}

const postOutcome = async (app: FastifyInstance, id: string, body: unknown, headers: Record<string, string> = scoreAuth) =>
  await app.inject({ method: 'POST', url: `/v1/decisions/${id}/outcome`, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })

function ndjson (body: string): DecisionRecord[] {
  return body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as DecisionRecord)
}

t.test('every decision is recorded with its snapshot; GET /v1/decisions/:id returns it (analyst)', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const scored = await score(app, charge({ email: 'Somchai@Example.co.th', description: 'gift card 4111 1111 1111 1111' }))
  const res = await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })
  t.equal(res.statusCode, 200)
  const record = res.json<DecisionRecord>()
  t.equal(record.v, 1)
  t.equal(record.decision_id, scored.decision_id)
  t.equal(record.charge_id, scored.charge_id)
  t.equal(record.decision, scored.decision)
  t.equal(record.features.email?.address, createSnapshotHash(HASH_KEY)('somchai@example.co.th'), 'normalized, then hashed')
  t.equal(record.features.email?.domain, 'example.co.th')
  t.equal(record.features.card?.bin, '424242')
  t.equal(record.features.ip.country, 'AU')
  t.notOk(res.body.includes('somchai@') || res.body.includes('fp_abc') || res.body.includes('1.128.0.10') || res.body.includes('cus_1'), 'no identifier in clear')
  t.notOk(res.body.includes('4111 1111'), 'no card number')
  t.equal(record.outcome, undefined)
  t.notOk(logs.join('').includes('somchai'), 'never logged')

  t.equal((await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: scoreAuth })).statusCode, 403, 'a score key cannot read decisions')
  t.equal((await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}` })).statusCode, 401)
})

t.test('a replayed charge_id is recorded once', async (t) => {
  const { app } = await buildTestApp(t)
  const body = charge()
  const first = await score(app, body)
  await score(app, body)
  await app.decisionLog.recorder.flush()
  const exported = ndjson((await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body)
  t.same(exported.map((r) => r.decision_id), [first.decision_id])
})

t.test('POST /v1/decisions/:id/outcome (score) stores the label; GET and the export show it', async (t) => {
  const { app } = await buildTestApp(t)
  const scored = await score(app, charge())
  // reported at once: the outcome waits for the background write of its decision
  const res = await postOutcome(app, scored.decision_id, { label: 'chargeback', note: 'card 4111111111111111 disputed' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.decision_id, scored.decision_id)
  t.equal(body.outcome.label, 'chargeback')
  t.equal(body.outcome.source, 'api')
  t.ok(Date.parse(body.outcome.at) > 0)
  t.notOk(res.body.includes('4111111111111111'), 'the note is scrubbed of card numbers')
  t.match(body.outcome.note, /card .* disputed/)

  const again = await postOutcome(app, scored.decision_id, { label: 'legit' })
  t.equal(again.json().outcome.label, 'legit', 'through the API the latest report replaces the stored one')
  const got = (await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })).json()
  t.equal(got.outcome.label, 'legit')
  const exported = ndjson((await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body)
  t.equal(exported.find((r) => r.decision_id === scored.decision_id)?.outcome?.label, 'legit')
})

t.test('outcome refusals: unknown decision 404 with a stable code, bad label 400, analyst-only key 403', async (t) => {
  const { app } = await buildTestApp(t)
  const unknown = await postOutcome(app, '00000000-0000-4000-8000-000000000000', { label: 'fraud' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'decision_not_found')
  const missing = await app.inject({ method: 'GET', url: '/v1/decisions/00000000-0000-4000-8000-000000000000', headers: analystAuth })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'decision_not_found')

  const scored = await score(app, charge())
  const bad = await postOutcome(app, scored.decision_id, { label: 'stolen' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'validation_failed')
  const extra = await postOutcome(app, scored.decision_id, { label: 'fraud', amount: 1 })
  t.equal(extra.json().error.code, 'unknown_field')
  const long = await postOutcome(app, scored.decision_id, { label: 'fraud', note: 'x'.repeat(501) })
  t.equal(long.statusCode, 400)
  const badId = await postOutcome(app, 'not/an/id', { label: 'fraud' })
  t.equal(badId.statusCode, 404, 'no such route')
  t.equal((await postOutcome(app, scored.decision_id, { label: 'fraud' }, analystAuth)).statusCode, 403)
})

t.test('GET /v1/decisions/export: NDJSON, oldest first, --from/--to, analyst only', async (t) => {
  const { app } = await buildTestApp(t)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    ids.push((await score(app, charge())).decision_id)
  }
  await app.decisionLog.recorder.flush()
  const res = await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /application\/x-ndjson/)
  const all = ndjson(res.body)
  t.same(all.map((r) => r.decision_id), ids)
  const middle = all[2] as DecisionRecord
  const ranged = ndjson((await app.inject({ method: 'GET', url: `/v1/decisions/export?from=${encodeURIComponent(middle.at)}`, headers: analystAuth })).body)
  t.same(ranged.map((r) => r.decision_id), ids.filter((_id, i) => Date.parse((all[i] as DecisionRecord).at) >= Date.parse(middle.at)))
  const none = await app.inject({ method: 'GET', url: '/v1/decisions/export?to=2020-01-01', headers: analystAuth })
  t.equal(none.statusCode, 200)
  t.equal(none.body, '')
  const bad = await app.inject({ method: 'GET', url: '/v1/decisions/export?from=yesterday', headers: analystAuth })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'validation_failed')
  t.equal((await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: scoreAuth })).statusCode, 403)
})
