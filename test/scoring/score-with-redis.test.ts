import t from 'tap'
import { startRedis } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'

const json = { 'content-type': 'application/json', ...scoreAuth }

let redis: RedisServer
t.before(async () => { redis = await startRedis(t) })

t.test('the whole path against a real redis-server', async (t) => {
  const { app } = await buildTestApp(t, { redis: { url: redis.url } })
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(body) })

  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.json().store.kind, 'redis')
  t.equal(ready.json().status, 'ready')

  const ip = `1.128.${process.pid % 250}.9`
  const email = `velocity-${process.pid}@example.com`
  let last
  let lastBody
  for (let i = 1; i <= 4; i++) {
    lastBody = charge({ ip, email, card: { fingerprint: `fp_redis_${i}`, bin: '411111', country: 'AU' } })
    last = (await post(lastBody)).json()
    t.equal(last.signals.velocity.charges_per_ip_1h, i, `charge ${i} sees ${i} from this IP`)
    t.equal(last.signals.velocity.cards_per_email_24h, i, `charge ${i} sees ${i} distinct cards for the email`)
  }
  t.same(last.degraded, [])

  // retry the last charge: same decision, nothing counted twice
  const retry = (await post(lastBody)).json()
  t.equal(retry.decision_id, last.decision_id)
  t.equal(retry.replayed, true)
  const after = (await post(charge({ ip, email, card: { fingerprint: 'fp_redis_4', country: 'AU' } }))).json()
  t.equal(after.signals.velocity.charges_per_ip_1h, 5)
  t.equal(after.signals.velocity.cards_per_email_24h, 4, 'a card seen before is not a new distinct card')

  // a second instance on the same Redis shares the counters and the stored decisions
  const { app: other } = await buildTestApp(t, { redis: { url: redis.url } })
  const fromOther = (await other.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(lastBody) })).json()
  t.equal(fromOther.decision_id, last.decision_id, 'the other instance returns the stored decision')
})

t.test('Redis stopped mid-test: 200 with degraded velocity, never a 5xx', { skip: process.env.RISKGATE_REDIS_URL !== undefined ? 'needs a redis-server this test can stop' : false }, async (t) => {
  const { app } = await buildTestApp(t, { redis: { url: redis.url }, deadlineMs: 100 })
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(body) })
  const before = await post(charge())
  t.equal(before.statusCode, 200)
  t.same(before.json().degraded, [])

  await redis.kill()
  for (let i = 0; i < 5; i++) {
    const res = await post(charge({ ip: TORLESS_IP }))
    t.equal(res.statusCode, 200, `request ${i + 1} while Redis is down answers 200`)
    const out = res.json()
    t.ok(out.degraded.includes('velocity'), 'says velocity was unavailable')
    t.equal(out.signals.velocity, undefined, 'no velocity values are made up')
    t.ok(out.skipped.some((s: { rule: string }) => s.rule === 'ip_velocity'), 'velocity rules are skipped, not fired')
  }
  const ready = (await app.inject({ method: 'GET', url: '/readyz' })).json()
  t.equal(ready.status, 'degraded')
  t.equal(ready.store.reachable, false)

  await redis.restart()
  let recovered = false
  for (let i = 0; i < 50 && !recovered; i++) {
    const out = (await post(charge())).json()
    recovered = out.degraded.length === 0
    if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.ok(recovered, 'scoring uses velocity again once Redis is back')
})

const TORLESS_IP = '1.128.3.4'
