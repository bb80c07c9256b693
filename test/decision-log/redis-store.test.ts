import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { createRedisDecisionLog } from '../../src/decision-log/redis-store.js'
import { waitForRedis } from '../../src/redis/client.js'
import { decisionLogSuite, decisionRecord, outcome } from '../helpers/decision-log-suite.js'
import { connectRedis, externalRedisUrl } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-decision-log-0123456789'
let server: RedisServer
let client: Redis
t.before(async () => {
  ;({ server, client } = await connectRedis(t))
})

const newPrefix = (): string => `test:${randomUUID()}:`

t.test('shared decision log behaviour', async (t) => {
  decisionLogSuite(t, async () => createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix(), partitions: 4, scanBatch: 7 }))
})

t.test('keys: partition streams with hash tags, indexes named by keyed hashes, all with a TTL or a bound', async (t) => {
  const prefix = newPrefix()
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix, partitions: 4, ttlSeconds: 3600 })
  const records = Array.from({ length: 40 }, () => decisionRecord('2026-11-21T10:00:00.000Z'))
  await store.append(records)
  const keys = await client.keys(`${prefix}*`)
  const streams = keys.filter((k) => k.endsWith(':stream'))
  t.same(streams.sort(), [0, 1, 2, 3].map((p) => `${prefix}{p${p}}:stream`), 'the records spread over every partition')
  const indexes = keys.filter((k) => !k.endsWith(':stream'))
  t.equal(indexes.length, 80, 'one by-id and one by-charge index per record')
  for (const key of indexes) {
    t.match(key.slice(prefix.length), /^[dc]:[A-Za-z0-9_-]{22}$/, 'a keyed hash, never the id', { diagnostic: false })
    const ttl = await client.ttl(key)
    t.ok(ttl > 0 && ttl <= 3600, 'TTL', { diagnostic: false })
  }
  const all = keys.join(' ')
  t.notOk(records.some((r) => all.includes(r.decision_id) || all.includes(r.charge_id)), 'no id in clear in a key')
})

t.test('a record older than the stream top (another instance\'s clock was ahead) is still written and scanned', async (t) => {
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix(), partitions: 1 })
  const now = Date.now()
  const late = decisionRecord(new Date(now + 2000).toISOString())
  const early = decisionRecord(new Date(now).toISOString())
  await store.append([late])
  await store.append([early])
  t.same((await store.get(early.decision_id))?.at, early.at)
  const scanned = []
  for await (const record of store.scan({ from: new Date(now), to: new Date(now + 1) })) scanned.push(record.decision_id)
  t.same(scanned, [early.decision_id])
  const all = []
  for await (const record of store.scan()) all.push(record.decision_id)
  t.same(all, [late.decision_id, early.decision_id], 'within a partition, in the order written (skew between instances is not re-sorted)')
})

t.test('each partition is capped with MAXLEN ~', async (t) => {
  const prefix = newPrefix()
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix, partitions: 1, maxPerPartition: 100 })
  for (let i = 0; i < 10; i++) await store.append(Array.from({ length: 100 }, () => decisionRecord('2026-11-21T10:00:00.000Z')))
  const length = await client.xlen(`${prefix}{p0}:stream`)
  t.ok(length >= 100 && length <= 200, `1,000 appended, ${length} kept (trimmed by whole stream nodes of 100 entries)`)
})

t.test('a record trimmed from the log is no longer returned; its outcome index stays until its TTL', async (t) => {
  const prefix = newPrefix()
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix, partitions: 1 })
  const record = decisionRecord('2026-11-21T10:00:00.000Z')
  await store.append([record])
  await client.xtrim(`${prefix}{p0}:stream`, 'MAXLEN', 0)
  t.equal(await store.get(record.decision_id), undefined)
  t.equal((await store.setOutcome(record.decision_id, { outcome: outcome('chargeback'), rank: 3, force: false })).status, 'stored')
})

t.test('two stores with different hash keys do not see each other\'s indexes', async (t) => {
  const prefix = newPrefix()
  const record = decisionRecord('2026-11-21T10:00:00.000Z')
  await createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix }).append([record])
  const other = createRedisDecisionLog({ redis: client, hashKey: 'another-hash-key-0123456789abcdef', keyPrefix: prefix })
  t.equal(await other.has(record.decision_id), false)
})

t.test('Redis down: every call rejects (the recorder counts it), nothing hangs', { skip: externalRedisUrl() !== undefined && 'needs a redis-server of its own' }, async (t) => {
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix() })
  await server.kill()
  t.teardown(async () => {
    await server.restart()
    await waitForRedis(client, 5000)
  })
  await t.rejects(store.append([decisionRecord('2026-11-21T10:00:00.000Z')]))
  await t.rejects(store.get('dec_1'))
})

t.test('options are checked', async (t) => {
  t.throws(() => createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, partitions: 0 }), RangeError)
  t.throws(() => createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: 'bad{prefix' }))
})
