import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import type { DecisionKey } from '../../src/idempotency/decision-key.js'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { analystAuth, buildTestApp, charge, scoreAuth, testConfig, testData } from '../helpers/app.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-0123456789abcdef0123456789'

async function score (app: FastifyInstance, body: Record<string, unknown>): Promise<{ decision_id: string, charge_id: string, decision: string, reasons: Array<{ rule: string, values: Record<string, unknown> }> }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(body) })
  if (res.statusCode !== 200) throw new Error(`score: ${res.statusCode} ${res.body}`)
  return res.json()
}

const postOutcome = async (app: FastifyInstance, id: string, body: unknown, headers: Record<string, string> = scoreAuth) =>
  await app.inject({ method: 'POST', url: `/v1/decisions/${id}/outcome`, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })

const skipRedis = externalRedisUrl() !== undefined && 'needs a redis-server of its own (the app writes under the default key prefix)'

interface HeldRecord {
  key: DecisionKey
  /** ends the charge's reservation, as if its time had passed */
  lapse: () => Promise<number>
  /** lets the outbox write the record */
  release: () => Promise<void>
}

/**
 * Holds the moment right after an answer, before the outbox has written the decision's record:
 * the stream of the record's partition is made a key of another type, so the log's write fails
 * (and the outbox retries it) until `release`. Reserving, outcomes and lookups do not read the
 * stream of a decision that is not recorded. Needs a Redis of its own (a fresh, empty one).
 */
async function holdRecord (app: FastifyInstance, chargeId: string): Promise<HeldRecord> {
  const store = app.decisionLog.store
  const redis = app.redis
  if (redis === null || !('redisKeys' in store)) throw new Error('holdRecord needs an app on Redis')
  const key = store.keys.ofCharge(chargeId)
  const stream = store.redisKeys.stream(key.partition)
  if (await redis.set(stream, 'held by the test', 'NX') !== 'OK') throw new Error('holdRecord needs an empty Redis')
  return {
    key,
    lapse: async () => await redis.hdel(store.redisKeys.index(key.partition), key.field),
    release: async () => { await redis.del(stream) }
  }
}

function ndjson (body: string): DecisionRecord[] {
  return body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as DecisionRecord)
}

t.test('every decision is recorded with its snapshot; GET /v1/decisions/:id returns it (analyst)', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const scored = await score(app, charge({ email: 'Somchai@Example.co.th', description: 'gift card 4111 1111 1111 1111' }))
  // recorded after the answer, through the outbox
  await app.outbox.flush()
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
  await app.outbox.flush()
  const exported = ndjson((await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body)
  t.same(exported.map((r) => r.decision_id), [first.decision_id])
})

t.test('POST /v1/decisions/:id/outcome (score) stores the label; GET and the export show it', async (t) => {
  const { app } = await buildTestApp(t)
  const scored = await score(app, charge())
  // reported at once: the charge is reserved in the log, so the outcome is stored even if the
  // decision's record is still on its way
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
  await app.outbox.flush()
  const got = (await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })).json()
  t.equal(got.outcome.label, 'legit')
  const exported = ndjson((await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body)
  t.equal(exported.find((r) => r.decision_id === scored.decision_id)?.outcome?.label, 'legit')
})

t.test('outcome refusals: unknown decision 404 with a stable code, bad label 400, review labels 400, a key with neither score nor analyst 403', async (t) => {
  const { app } = await buildTestApp(t)
  const unknown = await postOutcome(app, '00000000-0000-4000-8000-000000000000', { label: 'fraud' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'decision_not_found')
  const neverScored = app.decisionLog.store.keys.ofCharge('ch_never_scored').decisionId
  const unknownOfOurs = await postOutcome(app, neverScored, { label: 'fraud' })
  t.equal(unknownOfOurs.statusCode, 404, 'a decision id of the right shape that no charge was decided with')
  t.equal(unknownOfOurs.json().error.code, 'decision_not_found')
  t.equal(app.outbox.depth(), 0, 'and nothing queued for it')
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
  for (const label of ['review_approved', 'review_rejected']) {
    const review = await postOutcome(app, scored.decision_id, { label })
    t.equal(review.statusCode, 400, `${label}: a review is closed by POST /v1/reviews/:id`)
    t.equal(review.json().error.code, 'validation_failed')
    t.match(review.json().error.message, /POST \/v1\/reviews\/:decision_id/)
  }
  t.equal((await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })).json().outcome, undefined, 'nothing recorded')
})

t.test('outcomes: scope score or analyst, each recorded with its actor; an admin-only key is refused', async (t) => {
  const ADMIN = 'test-secret-admin-only-0123456789abcdef'
  const apiKeys = [...testConfig(testData(t)).apiKeys, ...parseApiKeys(`ops:admin:${sha256(ADMIN).toString('hex')}`)]
  const { app } = await buildTestApp(t, { apiKeys })
  const scored = await score(app, charge())
  const byMerchant = await postOutcome(app, scored.decision_id, { label: 'refund' })
  t.equal(byMerchant.statusCode, 200)
  t.equal(byMerchant.json().outcome.actor, 'key:merchant')
  const byAnalyst = await postOutcome(app, scored.decision_id, { label: 'fraud', note: 'confirmed with the issuer' }, analystAuth)
  t.equal(byAnalyst.statusCode, 200, 'an analyst key may report outcomes')
  t.equal(byAnalyst.json().outcome.actor, 'key:analyst')
  t.equal(byAnalyst.json().outcome.source, 'api')
  const admin = await postOutcome(app, scored.decision_id, { label: 'legit' }, { authorization: `Bearer ${ADMIN}` })
  t.equal(admin.statusCode, 403)
  t.equal(admin.json().error.code, 'forbidden')
  t.match(admin.json().error.message, /"score" or "analyst"/)
  await app.outbox.flush()
  const got = (await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })).json<DecisionRecord>()
  t.same(got.outcomes?.map((o) => [o.label, o.actor]), [['refund', 'key:merchant'], ['fraud', 'key:analyst']], 'the history, oldest first, with the actors')
  t.equal(got.outcome?.label, 'fraud')
})

t.test('GET /v1/decisions/:id: the reasons with the values they read (identifiers as digests) and, for a review, its review', async (t) => {
  const { app } = await buildTestApp(t)
  const blocked = await score(app, charge({ email: 'Blocked.Shopper@example.com' }))
  const review = await score(app, charge({ ip: '3.0.0.1', email: 'review.detail@example.com', customer_id: 'cus_review_detail', card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: 'fp_review_detail' } }))
  await app.outbox.flush()
  const got = (await app.inject({ method: 'GET', url: `/v1/decisions/${blocked.decision_id}`, headers: analystAuth }))
  t.equal(got.statusCode, 200)
  const record = got.json()
  t.equal(record.decision, 'block')
  t.equal(record.review, undefined, 'no review for a block')
  const reason = record.reasons.find((r: { rule: string }) => r.rule === 'blocked_email')
  t.same(reason, {
    rule: 'blocked_email',
    description: 'The email address is on the blocked list',
    score: null,
    action: 'block',
    values: { 'email.address': createSnapshotHash(HASH_KEY)('blocked.shopper@example.com') }
  }, 'the address as its digest')
  t.notOk(got.body.toLowerCase().includes('blocked.shopper'), 'never in clear')
  t.same(record.reasons.map((r: { rule: string }) => r.rule), record.fired)

  const detail = (await app.inject({ method: 'GET', url: `/v1/decisions/${review.decision_id}`, headers: analystAuth })).json()
  t.equal(detail.decision, 'review')
  t.equal(detail.review.status, 'open')
  t.ok(Number.isInteger(detail.review.age_seconds))
  t.same(detail.reasons.map((r: { rule: string, values: unknown }) => [r.rule, r.values]), review.reasons.map((r) => [r.rule, r.values]), 'the values the live answer showed')
})

t.test('GET /v1/decisions/export: NDJSON, oldest first, --from/--to, analyst only', async (t) => {
  const { app } = await buildTestApp(t)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    ids.push((await score(app, charge())).decision_id)
  }
  await app.outbox.flush()
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

t.test('Redis: an outcome reported while the decision\'s record is still in the outbox is stored with the reservation, and shows once the record lands', { skip: skipRedis }, async (t) => {
  const redis = await startRedis(t)
  const { app } = await buildTestApp(t, { redis: { url: redis.url } })
  const body = charge()
  const held = await holdRecord(app, body.charge_id as string)
  const scored = await score(app, body)
  t.equal(scored.decision_id, held.key.decisionId)
  t.ok(app.decisionLog.recorder.pending(held.key.field), 'the record waits in the outbox')
  t.equal((await app.decisionLog.store.lookup(held.key)).status, 'pending', 'the log knows the charge only by its reservation')
  const res = await postOutcome(app, scored.decision_id, { label: 'fraud', note: 'reported at once' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().outcome.label, 'fraud')
  await held.release()
  await app.outbox.flush()
  const got = await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })
  t.equal(got.statusCode, 200)
  t.equal(got.json().outcome?.label, 'fraud', 'the record landed with the outcome')
  t.equal(got.json().outcome?.note, 'reported at once')
})

t.test('Redis: an outcome of a decision the log does not know but whose record waits in this process\'s outbox answers 202 and is written after it', { skip: skipRedis }, async (t) => {
  const redis = await startRedis(t)
  const { app } = await buildTestApp(t, { redis: { url: redis.url } })
  const body = charge()
  const held = await holdRecord(app, body.charge_id as string)
  const scored = await score(app, body)
  // the reservation lapses (its time passed) before the outbox could write the record
  t.equal(await held.lapse(), 1)
  t.same(await app.decisionLog.store.lookup(held.key), { status: 'none' })
  const res = await postOutcome(app, scored.decision_id, { label: 'chargeback' })
  t.equal(res.statusCode, 202)
  t.same(res.json(), { decision_id: scored.decision_id, queued: true })
  t.equal(app.outbox.stats().outcome?.queued, 1, 'the outcome waits in the outbox')
  await held.release()
  await app.outbox.flush()
  const got = (await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })).json<DecisionRecord>()
  t.equal(got.decision_id, scored.decision_id)
  t.equal(got.outcome?.label, 'chargeback', 'written once the record landed')
  t.equal(got.outcome?.source, 'api')
  t.same(app.outbox.stats().outcome?.dropped, { full: 0, expired: 0, shutdown: 0 })
})

t.test('Redis, two instances: an outcome sent to the other instance right after the answer finds the decision (reserved before the answer)', { skip: skipRedis }, async (t) => {
  const redis = await startRedis(t)
  const { app: first } = await buildTestApp(t, { redis: { url: redis.url } })
  const { app: second } = await buildTestApp(t, { redis: { url: redis.url } })
  const body = charge()
  const held = await holdRecord(first, body.charge_id as string)
  const scored = await score(first, body)
  t.ok(first.decisionLog.recorder.pending(held.key.field), 'the first instance has not written the record yet')
  const res = await postOutcome(second, scored.decision_id, { label: 'fraud' })
  t.equal(res.statusCode, 200, 'the second instance finds the decision')
  t.equal(res.json().outcome.label, 'fraud')
  await held.release()
  await first.outbox.flush()
  const got = (await second.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: analystAuth })).json<DecisionRecord>()
  t.equal(got.charge_id, body.charge_id)
  t.equal(got.outcome?.label, 'fraud')
})
