import t from 'tap'
import { closeRedis, createRedisClient, pingRedis, waitForRedis } from '../../src/redis/client.js'
import type { RedisLogger } from '../../src/redis/client.js'
import { externalRedisUrl, freePort, startRedis } from '../helpers/redis.js'
import { settleWithin } from '../helpers/settle.js'

function memoryLogger (): RedisLogger & { lines: Array<{ level: string, msg: string, obj: object }> } {
  const lines: Array<{ level: string, msg: string, obj: object }> = []
  return {
    lines,
    info: (obj, msg) => { lines.push({ level: 'info', msg, obj }) },
    warn: (obj, msg) => { lines.push({ level: 'warn', msg, obj }) }
  }
}

t.test('connects, pings, closes', async (t) => {
  const server = await startRedis(t)
  const client = createRedisClient({ url: server.url })
  t.ok(await waitForRedis(client, 5000))
  const health = await pingRedis(client)
  t.equal(health.ok, true)
  t.equal(health.status, 'ready')
  await closeRedis(client)
  t.equal(client.status, 'end')
  await closeRedis(client)
  t.pass('closing twice is harmless')
})

t.test('nothing listening: commands fail at once, errors are logged once, never thrown', async (t) => {
  const port = await freePort()
  const logger = memoryLogger()
  const client = createRedisClient({ url: `redis://:s3cret-password@127.0.0.1:${port}` }, { logger })
  t.teardown(async () => await closeRedis(client))
  t.equal(await waitForRedis(client, 300), false, 'never ready')
  t.equal(await settleWithin(client.get('k'), 2000), 'rejected', 'a command rejects instead of queueing')
  const health = await pingRedis(client)
  t.equal(health.ok, false)
  t.not(health.status, 'ready')
  const warnings = logger.lines.filter((l) => l.level === 'warn')
  t.equal(warnings.length, 1, 'one warning for the outage, not one per reconnection attempt')
  t.notMatch(JSON.stringify(logger.lines), /s3cret/, 'the password in the URL is never logged')
})

t.test('Redis killed and restarted: fails fast while down, recovers in the background', { skip: externalRedisUrl() !== undefined && 'needs a Redis of its own' }, async (t) => {
  const server = await startRedis(t)
  const logger = memoryLogger()
  const client = createRedisClient({ url: server.url }, { logger })
  t.teardown(async () => await closeRedis(client))
  t.ok(await waitForRedis(client, 5000))
  await client.set('k', 'v')
  await server.kill()
  t.equal(await settleWithin(client.get('k'), 3000), 'rejected', 'rejects while Redis is down')
  t.equal((await pingRedis(client)).ok, false, 'readiness reports it')
  await server.restart()
  t.ok(await waitForRedis(client, 5000), 'reconnected without help')
  t.equal((await pingRedis(client)).ok, true)
  t.same(logger.lines.map((l) => l.level), ['warn', 'info'], 'the outage and the recovery are logged')
})

t.test('cluster node lists are checked', async (t) => {
  t.throws(() => createRedisClient({ clusterNodes: [] }), /RISKGATE_REDIS_CLUSTER_NODES: a comma-separated list/)
  t.throws(() => createRedisClient({ clusterNodes: ['redis://:5'] }), /RISKGATE_REDIS_CLUSTER_NODES entry 1: redis:\/\/:5: /)
  t.throws(() => createRedisClient({ clusterNodes: ['127.0.0.1'] }), /expected host:port, \[ipv6\]:port or a redis:\/\/ or rediss:\/\/ URL/)
})
