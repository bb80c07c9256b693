import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startRedis } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import type { AppConfig } from '../../src/config/app-config.js'
import { decisionIdOfField } from '../../src/idempotency/decision-key.js'

const json = { 'content-type': 'application/json', ...scoreAuth }

let redis: RedisServer
t.before(async () => { redis = await startRedis(t) })

let n = 0
/** an IP of its own per test, so its counter tells how many charges were counted */
function freshIp (): string {
  n++
  return `1.128.${(process.pid + n) % 250}.${n % 250}`
}

async function post (app: FastifyInstance, body: unknown): Promise<{ status: number, body: Record<string, any> }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(body) })
  return { status: res.statusCode, body: res.json() }
}

/** charges counted for `ip` so far: what a new charge from it sees, minus itself */
async function counted (app: FastifyInstance, ip: string): Promise<number> {
  const probe = await post(app, charge({ ip }))
  return (probe.body.signals.velocity.charges_per_ip_1h as number) - 1
}

async function recordsOf (app: FastifyInstance, chargeId: string): Promise<number> {
  await app.outbox.flush()
  let found = 0
  for await (const record of app.decisionLog.store.scan()) if (record.charge_id === chargeId) found++
  return found
}

type Variant = [string, (t: Test) => Partial<AppConfig>]
const variants: Variant[] = [
  ['in process', () => ({})],
  ['Redis', () => ({ redis: { url: redis.url } })]
]

for (const [name, config] of variants) {
  t.test(`${name}: a retry with the same body gets the recorded decision and counts nothing`, async (t) => {
    const { app } = await buildTestApp(t, config(t))
    const ip = freshIp()
    const body = charge({ ip })
    const first = await post(app, body)
    t.equal(first.status, 200)
    t.equal(first.body.replayed, false)
    const again = await post(app, body)
    t.equal(again.status, 200)
    t.equal(again.body.replayed, true)
    t.same({ ...again.body, took_ms: 0, replayed: false }, { ...first.body, took_ms: 0 }, 'the same answer, the same decision id')
    // once its record is written (not just waiting in the outbox), a retry is answered from the log
    await app.outbox.flush()
    const later = await post(app, JSON.parse(JSON.stringify(body)))
    t.same({ ...later.body, took_ms: 0 }, { ...again.body, took_ms: 0 }, 'and from the log')
    t.equal(await counted(app, ip), 1, 'counted once')
    t.equal(await recordsOf(app, body.charge_id as string), 1, 'recorded once')
  })

  t.test(`${name}: the same charge id with another body is refused with 409 and counts nothing`, async (t) => {
    const { app } = await buildTestApp(t, config(t))
    const ip = freshIp()
    const body = charge({ ip })
    const first = await post(app, body)
    const otherIp = freshIp()
    const changes: Array<Record<string, unknown>> = [{ ...body, amount: 1 }, { ...body, ip: otherIp }, { ...body, email: 'other@example.com' }, { ...body, metadata: { a: 1 } }]
    for (const changed of changes) {
      const res = await post(app, changed)
      t.equal(res.status, 409)
      t.equal(res.body.error.code, 'idempotency_conflict')
      t.notOk(JSON.stringify(res.body).includes(otherIp), 'echoes nothing of the body')
    }
    await app.outbox.flush()
    const conflictAfterRecord = await post(app, { ...body, amount: 2 })
    t.equal(conflictAfterRecord.status, 409, 'also once the decision is recorded')
    t.equal(await counted(app, ip), 1, 'the refused attempts counted nothing')
    t.equal((await post(app, body)).body.decision_id, first.body.decision_id, 'the recorded decision is unchanged')
    t.equal(await recordsOf(app, body.charge_id as string), 1)
  })

  t.test(`${name}: concurrent retries wait for one decision: one decision id, one record, counted once`, async (t) => {
    const { app } = await buildTestApp(t, config(t))
    const ip = freshIp()
    const body = charge({ ip })
    const answers = await Promise.all(Array.from({ length: 20 }, async () => await post(app, body)))
    t.ok(answers.every((a) => a.status === 200))
    t.equal(new Set(answers.map((a) => a.body.decision_id)).size, 1, 'one decision id')
    t.equal(answers.filter((a) => a.body.replayed === false).length, 1, 'decided once, the others replayed')
    t.equal(new Set(answers.map((a) => a.body.decision)).size, 1)
    t.equal(await counted(app, ip), 1)
    t.equal(await recordsOf(app, body.charge_id as string), 1)
  })
}

t.test('a decision recorded with the 22-character fingerprint of earlier versions: a retry of the same body replays it, another body is refused', async (t) => {
  const { app } = await buildTestApp(t, { redis: { url: redis.url } })
  const client = app.redis as NonNullable<typeof app.redis>
  const body = charge({ ip: freshIp() })
  const first = await post(app, body)
  await app.outbox.flush()
  // the index value `<fingerprint>|<stream id>` as an earlier version wrote it: the fingerprint is
  // the first 12 characters of the 22 it stored (test/idempotency/fingerprint.test.ts)
  const keys = await client.keys('rg:v2:log:{p*}:i')
  let rewritten = 0
  for (const key of keys) {
    const fields = (await client.hkeys(key)).filter((field) => decisionIdOfField(field) === first.body.decision_id)
    for (const field of fields) {
      const [fingerprint, id] = (await client.hget(key, field) as string).split('|') as [string, string]
      t.equal(fingerprint.length, 12, 'stored now: 12 characters')
      await client.hset(key, field, `${fingerprint}0123456789|${id}`)
      rewritten++
    }
  }
  t.equal(rewritten, 1)
  const again = await post(app, body)
  t.equal(again.status, 200)
  t.equal(again.body.replayed, true, 'the same body: replayed')
  t.equal(again.body.decision_id, first.body.decision_id)
  const other = await post(app, { ...body, amount: 3 })
  t.equal(other.status, 409, 'another body: refused')
  t.equal(other.body.error.code, 'idempotency_conflict')
})

t.test('a rolling upgrade: an instance writing format 2 (RISKGATE_DECISION_LOG_FORMAT) writes what earlier versions read, and one writing format 3 replays it', async (t) => {
  const { app: upgrading } = await buildTestApp(t, { redis: { url: redis.url }, decisionLog: { format: 2 } })
  const { app: upgraded } = await buildTestApp(t, { redis: { url: redis.url } })
  const client = upgrading.redis as NonNullable<typeof upgrading.redis>
  const body = charge({ ip: freshIp() })
  const first = await post(upgrading, body)
  await upgrading.outbox.flush()
  let found = 0
  for (const key of await client.keys('rg:v2:log:{p*}:i')) {
    for (const field of (await client.hkeys(key)).filter((f) => decisionIdOfField(f) === first.body.decision_id)) {
      const [fingerprint, id] = (await client.hget(key, field) as string).split('|') as [string, string]
      t.equal(fingerprint.length, 22, 'the fingerprint of earlier versions')
      const [[, fields] = ['', []]] = await client.xrange(key.replace(/:i$/, ':s'), id, id)
      t.match(fields[3], /^\[2,"/, 'the record in JSON, codec version 2')
      t.match(fields[5], /^[arb][01]\d{13}~\|/, 'the index entry with its time')
      found++
    }
  }
  t.equal(found, 1)
  const again = await post(upgraded, body)
  t.equal(again.body.replayed, true, 'the same body: replayed by the upgraded instance')
  t.equal(again.body.decision_id, first.body.decision_id)
  t.equal((await post(upgraded, { ...body, amount: 3 })).status, 409, 'another body: refused')
  // and the other way: a decision the upgraded instance recorded, replayed by it, and by an
  // instance still writing format 2 (the upgrade's last restarts, from 2 to 3)
  const second = charge({ ip: freshIp() })
  await post(upgraded, second)
  await upgraded.outbox.flush()
  t.equal((await post(upgraded, second)).body.replayed, true)
  const fromEarlier = await post(upgrading, second)
  t.equal(fromEarlier.status, 200)
  t.equal(fromEarlier.body.replayed, true, 'a format 3 record replayed by a format 2 instance')
  t.equal((await post(upgrading, { ...second, amount: 3 })).status, 409, 'another body: refused')
})

t.test('two instances on one Redis: concurrent attempts of one charge make one recorded decision, counted once', async (t) => {
  const { app: a } = await buildTestApp(t, { redis: { url: redis.url }, deadlineMs: 2000 })
  const { app: b } = await buildTestApp(t, { redis: { url: redis.url }, deadlineMs: 2000 })
  for (let round = 0; round < 5; round++) {
    const ip = freshIp()
    const body = charge({ ip })
    const answers = await Promise.all(Array.from({ length: 10 }, async (_, i) => await post(i % 2 === 0 ? a : b, body)))
    t.ok(answers.every((x) => x.status === 200), `round ${round}: all answered`)
    t.equal(new Set(answers.map((x) => x.body.decision_id)).size, 1, 'one decision id')
    const decided = answers.filter((x) => x.body.replayed === false)
    t.ok(decided.every((x) => x.body.decision === decided[0]?.body.decision), 'the same decision')
    await b.outbox.flush()
    t.equal(await recordsOf(a, body.charge_id as string), 1, 'one record')
    t.equal(await counted(a, ip), 1, 'counted once')
  }
})

t.test('Redis slower than the deadline: degraded answers share the decision id, one of them is recorded, counted once', async (t) => {
  const { app } = await buildTestApp(t, { redis: { url: redis.url }, deadlineMs: 30 })
  const ip = freshIp()
  const body = charge({ ip })
  // Redis takes no command for a moment: every attempt's reservation misses the deadline
  const paused = await app.redis?.call('CLIENT', 'PAUSE', '400', 'ALL')
  t.equal(paused, 'OK')
  const answers = await Promise.all(Array.from({ length: 5 }, async () => await post(app, body)))
  t.ok(answers.every((x) => x.status === 200), 'the checkout is never failed')
  t.equal(new Set(answers.map((x) => x.body.decision_id)).size, 1, 'one decision id, whatever the store said')
  t.ok(answers.some((x) => x.body.degraded.includes('idempotency')), 'says the store did not answer in time')
  await app.outbox.flush()
  t.equal(await recordsOf(app, body.charge_id as string), 1, 'one recorded decision')
  t.equal(await counted(app, ip), 1, 'counted once')
  const retry = await post(app, body)
  t.equal(retry.body.replayed, true)
  t.equal(retry.body.decision_id, answers[0]?.body.decision_id)
})

t.test('Redis slower than the deadline, two instances: both answer degraded, one decision is recorded, counted once', async (t) => {
  const { app: a } = await buildTestApp(t, { redis: { url: redis.url }, deadlineMs: 30 })
  const { app: b } = await buildTestApp(t, { redis: { url: redis.url }, deadlineMs: 30 })
  const ip = freshIp()
  const body = charge({ ip })
  await a.redis?.call('CLIENT', 'PAUSE', '400', 'ALL')
  const answers = await Promise.all([post(a, body), post(b, body)])
  t.ok(answers.every((x) => x.status === 200 && x.body.degraded.includes('idempotency')), 'both decided without the store')
  t.equal(answers[0]?.body.decision_id, answers[1]?.body.decision_id, 'with the one decision id of the charge')
  await Promise.all([a.outbox.flush(), b.outbox.flush()])
  t.equal(await recordsOf(a, body.charge_id as string), 1, 'one of them is recorded, the other is superseded')
  // the other found the charge reserved (superseded) or already recorded (duplicate), as the
  // order of the writes fell
  const stats = [a.decisionLog.recorder.stats(), b.decisionLog.recorder.stats()]
  t.equal(stats.reduce((n, s) => n + s.superseded + s.duplicate, 0), 1, 'and counted as such')
  t.equal(stats.reduce((n, s) => n + s.written, 0), 1)
  t.equal(await counted(a, ip), 1, 'counted once')
})
