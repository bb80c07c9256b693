import t from 'tap'
import type { Redis } from 'ioredis'
import { createRedisDecisionLog } from '../../src/decision-log/redis-store.js'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-0123456789abcdef0123456789' // the test app's
const skip = externalRedisUrl() !== undefined && 'needs a redis-server of its own (default key prefix, kill)'

t.test('decisions queued when the app closes are written before the Redis client closes', { skip }, async (t) => {
  const redis = await startRedis(t)
  const { app } = await buildTestApp(t, { redis: { url: redis.url } })
  const responses = await Promise.all(Array.from({ length: 20 }, async () =>
    await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })))
  const ids = responses.map((res) => res.json().decision_id as string)
  t.ok(app.decisionLog.recorder.stats().recorded < 20, `${app.decisionLog.recorder.stats().recorded} of 20 written when close starts`)
  await app.close()

  const client = createRedisClient({ url: redis.url }) as Redis
  t.teardown(async () => await closeRedis(client))
  t.ok(await waitForRedis(client, 5000))
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY })
  for (const id of ids) t.ok(await store.has(id), `recorded ${id}`, { diagnostic: false })
})

t.test('Redis down: scoring still answers; the recorder counts the records it could not write', { skip }, async (t) => {
  const redis = await startRedis(t)
  const { app, logs } = await buildTestApp(t, { redis: { url: redis.url } })
  await redis.kill()
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  t.equal(res.statusCode, 200)
  t.same(res.json().degraded.sort(), ['idempotency', 'velocity'])
  await app.decisionLog.recorder.flush()
  t.same(app.decisionLog.recorder.stats(), { recorded: 0, dropped: 0, failed: 1, queued: 0 })
  t.ok(logs.some((line) => line.includes('decision log: records could not be written')))
})
