import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { DEFAULT_DECISION_TTL_SECONDS } from '../../src/idempotency/decision-store.js'
import { createRedisDecisionStore } from '../../src/idempotency/redis-decision-store.js'
import { waitForRedis } from '../../src/redis/client.js'
import { decisionStoreSuite } from '../helpers/decision-store-suite.js'
import { connectRedis, externalRedisUrl } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-decisions-0123456789'
let server: RedisServer
let client: Redis
t.before(async () => {
  ;({ server, client } = await connectRedis(t))
})

const newPrefix = (): string => `test:${randomUUID()}:`

t.test('shared decision store behaviour', async (t) => {
  decisionStoreSuite(t, async () => createRedisDecisionStore({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix() }))
})

t.test('one key per charge, named by a keyed hash, with the TTL', async (t) => {
  const prefix = newPrefix()
  const store = createRedisDecisionStore({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix })
  await store.putIfAbsent('chrg_test_5xyz', { decision: 'allow' }, 120)
  await store.putIfAbsent('chrg_test_6xyz', { decision: 'block' })
  const keys = await client.keys(`${prefix}*`)
  t.equal(keys.length, 2)
  for (const key of keys) {
    t.match(key.slice(prefix.length), /^[A-Za-z0-9_-]{22}$/, 'a 128-bit keyed hash, no charge id')
  }
  const ttls = (await Promise.all(keys.map(async (k) => await client.ttl(k)))).sort((a, b) => a - b)
  t.ok((ttls[0] as number) > 0 && (ttls[0] as number) <= 120, `explicit TTL (${ttls[0]} s)`)
  t.ok((ttls[1] as number) > 120 && (ttls[1] as number) <= DEFAULT_DECISION_TTL_SECONDS, `default TTL (${ttls[1]} s)`)
  const other = createRedisDecisionStore({ redis: client, hashKey: 'another-key-0123456789abcdef', keyPrefix: prefix })
  t.equal(await other.get('chrg_test_5xyz'), undefined, 'another hash key does not find it')
})

t.test('options are checked', async (t) => {
  t.throws(() => createRedisDecisionStore({ redis: client, hashKey: HASH_KEY, keyPrefix: 'x{' }))
  t.throws(() => createRedisDecisionStore({ redis: client, hashKey: HASH_KEY, defaultTtlSeconds: -1 }), RangeError)
})

t.test('Redis down: calls reject, nothing hangs', { skip: externalRedisUrl() !== undefined && 'needs a Redis of its own' }, async (t) => {
  const store = createRedisDecisionStore({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix() })
  await server.kill()
  await t.rejects(store.putIfAbsent('ch_down', { d: 1 }, 60))
  await t.rejects(store.get('ch_down'))
  await server.restart()
  t.ok(await waitForRedis(client, 5000), 'reconnected')
  t.same(await store.putIfAbsent('ch_up', { d: 2 }, 60), { d: 2 }, 'works again')
  // the SET may have been resent by the client after the reconnect: either way one record wins
  const winner = await store.putIfAbsent('ch_down', { d: 3 }, 60)
  t.same(await store.get('ch_down'), winner)
})
