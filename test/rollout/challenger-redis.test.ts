import t from 'tap'
import path from 'node:path'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { startRedis } from '../helpers/redis.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'

const LIVE = [
  'version: "live.1"',
  'thresholds: { review: 50, block: 80 }',
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  'rules:',
  '  - id: ip_rule',
  '    when: velocity.ip_1h >= 100',
  '    score: 10',
  ''
].join('\n')
const CHALLENGER = [
  'version: "challenger.1"',
  'thresholds: { review: 50, block: 80 }',
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  '  email_1h: { count: charges, by: email, window: 1h }',
  '  cards_per_customer_24h: { distinct: card.fingerprint, by: customer, window: 24h }',
  'rules:',
  '  - id: email_repeat',
  '    when: velocity.email_1h >= 3',
  '    action: block',
  ''
].join('\n')

/** script calls Redis served so far (the reservation with velocity, the decision records) */
async function scriptCalls (client: Redis): Promise<number> {
  const stats = await client.info('commandstats')
  let calls = 0
  for (const match of stats.matchAll(/^cmdstat_(?:evalsha|eval|fcall|evalsha_ro|eval_ro):calls=(\d+)/gm)) calls += Number(match[1])
  return calls
}

t.test('with Redis: the challenger\'s counters are counted in the same store call, and read by its rules', async (t) => {
  const redis = await startRedis(t)
  const dir = t.testdir({ live: { 'ruleset.yaml': LIVE }, challenger: { 'ruleset.yaml': CHALLENGER } })
  const { app: alone } = await buildTestApp(t, { rulesDir: path.join(dir, 'live'), redis: { url: redis.url } })
  const { app } = await buildTestApp(t, {
    rulesDir: path.join(dir, 'live'),
    redis: { url: redis.url },
    challenger: { rulesDir: path.join(dir, 'challenger'), rollout: { mode: 'shadow' } }
  })
  const client = new Redis(redis.url)
  t.teardown(() => client.quit())
  const score = async (target: FastifyInstance, body: Record<string, unknown>) =>
    (await target.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: body })).json()

  const email = `redis-challenger-${process.pid}@example.com`
  const answers = []
  for (let i = 0; i < 3; i++) answers.push(await score(app, charge({ email, ip: '1.128.7.7', customer_id: 'cus_r', card: { fingerprint: `fp_r${i}` } })))
  t.same(answers.map((a) => a.signals.velocity), [1, 2, 3].map((n) => ({ ip_1h: n, email_1h: n, cards_per_customer_24h: n })))
  t.same(answers.map((a) => a.degraded), [[], [], []])
  t.same(answers.map((a) => a.challenger.decision), ['allow', 'allow', 'block'])
  t.same(answers.map((a) => a.decision), ['allow', 'allow', 'allow'], 'shadow: the live set decides')

  // the live set alone on the same Redis counts the shared counter in the same series
  const liveOnly = await score(alone, charge({ email, ip: '1.128.7.7' }))
  t.same(liveOnly.signals.velocity, { ip_1h: 4 })

  if (redis.managed) {
    // one charge each (contexts written already): as many script calls with the challenger as without
    const flushed = async (): Promise<void> => { await Promise.all([app.outbox.flush(), alone.outbox.flush()]) }
    const calls = async (target: FastifyInstance, body: Record<string, unknown>): Promise<number> => {
      await flushed()
      const before = await scriptCalls(client)
      await score(target, body)
      await flushed()
      return await scriptCalls(client) - before
    }
    const withChallenger = await calls(app, charge({ email: 'other@example.com', ip: '1.128.7.8' }))
    const without = await calls(alone, charge({ email: 'other@example.com', ip: '1.128.7.9' }))
    t.ok(without >= 1, `${without} script calls without a challenger`)
    t.equal(withChallenger, without, 'the challenger adds no store call')
  }
})
