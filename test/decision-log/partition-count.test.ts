import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import {
  DEFAULT_CLUSTER_LOG_PARTITIONS, DEFAULT_LOG_PARTITIONS, EARLIER_DEFAULT_LOG_PARTITIONS, PartitionCountMismatchError,
  PartitionCountSource, PARTITIONS_TTL_SLACK_MS, renewLogPartitions, resolveLogPartitions
} from '../../src/decision-log/partition-count.js'
import type { ResolvePartitionsOptions } from '../../src/decision-log/partition-count.js'
import { decisionLogKeys } from '../../src/decision-log/redis-keys.js'
import type { DecisionLogKeys } from '../../src/decision-log/redis-keys.js'
import { connectRedis } from '../helpers/redis.js'

let client: Redis
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

const TTL_MS = 3_600_000
const newKeys = (): DecisionLogKeys => decisionLogKeys(`test:${randomUUID()}:`)
const options = (keys: DecisionLogKeys, more: Partial<ResolvePartitionsOptions> = {}): ResolvePartitionsOptions =>
  ({ keys, fallback: DEFAULT_LOG_PARTITIONS, ttlMs: TTL_MS, store: true, ...more })

t.test('a new log takes the default, keeps it, and every later process reads it', async (t) => {
  const keys = newKeys()
  t.same(await resolveLogPartitions(client, options(keys)), { partitions: DEFAULT_LOG_PARTITIONS, source: PartitionCountSource.DEFAULT })
  t.equal(await client.get(keys.partitions), String(DEFAULT_LOG_PARTITIONS))
  const ttl = await client.pttl(keys.partitions)
  t.ok(ttl > TTL_MS && ttl <= TTL_MS + PARTITIONS_TTL_SLACK_MS, 'with the log\'s TTL and a day')
  // a process with another default (a Cluster's) still reads the log's own
  t.same(await resolveLogPartitions(client, options(keys, { fallback: DEFAULT_CLUSTER_LOG_PARTITIONS })), { partitions: DEFAULT_LOG_PARTITIONS, source: PartitionCountSource.STORED })
})

t.test('the setting gives a new log its count; a setting that contradicts the log is refused', async (t) => {
  const keys = newKeys()
  t.same(await resolveLogPartitions(client, options(keys, { configured: 4 })), { partitions: 4, source: PartitionCountSource.CONFIGURED })
  t.same(await resolveLogPartitions(client, options(keys, { configured: 4 })), { partitions: 4, source: PartitionCountSource.STORED })
  t.same(await resolveLogPartitions(client, options(keys)), { partitions: 4, source: PartitionCountSource.STORED }, 'unset: the log\'s')
  const refused = await resolveLogPartitions(client, options(keys, { configured: 8 })).catch((err: unknown) => err)
  t.ok(refused instanceof PartitionCountMismatchError)
  t.match((refused as Error).message, /has 4 partition\(s\), RISKGATE_DECISION_LOG_PARTITIONS is 8/)
  t.equal(await client.get(keys.partitions), '4', 'the log\'s count is kept')
})

t.test('a log written by an earlier version (no count kept) is read with the 8 partitions those wrote by default', async (t) => {
  for (const [what, write] of [
    ['a stream', async (keys: DecisionLogKeys) => await client.xadd(keys.stream(5), '*', 'd', 'x')],
    ['an index only (a reservation)', async (keys: DecisionLogKeys) => await client.hset(keys.index(1), 'f', 'v')],
    ['its last partition', async (keys: DecisionLogKeys) => await client.xadd(keys.stream(7), '*', 'd', 'x')]
  ] as const) {
    const keys = newKeys()
    await write(keys)
    t.same(await resolveLogPartitions(client, options(keys)), { partitions: EARLIER_DEFAULT_LOG_PARTITIONS, source: PartitionCountSource.EARLIER }, what)
    t.equal(await client.get(keys.partitions), String(EARLIER_DEFAULT_LOG_PARTITIONS), `${what}: kept from then on`)
  }
  // partition 0 alone is a log of one partition, or an empty one: nothing says 8
  const keys = newKeys()
  await client.xadd(keys.stream(0), '*', 'd', 'x')
  t.same(await resolveLogPartitions(client, options(keys)), { partitions: DEFAULT_LOG_PARTITIONS, source: PartitionCountSource.DEFAULT })
  // an earlier log whose count was set: the setting, as before
  const set = newKeys()
  await client.xadd(set.stream(3), '*', 'd', 'x')
  t.same(await resolveLogPartitions(client, options(set, { configured: 16 })), { partitions: 16, source: PartitionCountSource.CONFIGURED })
})

t.test('a reader stores nothing', async (t) => {
  const keys = newKeys()
  t.same(await resolveLogPartitions(client, options(keys, { store: false })), { partitions: DEFAULT_LOG_PARTITIONS, source: PartitionCountSource.DEFAULT })
  t.equal(await client.exists(keys.partitions), 0)
})

t.test('processes starting together on a new log agree on the first one\'s count', async (t) => {
  for (let round = 0; round < 5; round++) {
    const keys = newKeys()
    const found = await Promise.all([1, 8, 2, 8, 1, 4].map(async (fallback) => await resolveLogPartitions(client, options(keys, { fallback }))))
    const counts = new Set(found.map((f) => f.partitions))
    t.equal(counts.size, 1, `round ${round}: one count (${[...counts].join(', ')})`)
    t.equal(await client.get(keys.partitions), String([...counts][0]))
  }
})

t.test('renewing keeps the stored count, and stores it again once gone', async (t) => {
  const keys = newKeys()
  await client.set(keys.partitions, '2', 'PX', 1000)
  await renewLogPartitions(client, keys, 2, TTL_MS)
  t.ok(await client.pttl(keys.partitions) > TTL_MS, 'TTL renewed: the log\'s and a day')
  await renewLogPartitions(client, keys, 3, TTL_MS)
  t.equal(await client.get(keys.partitions), '2', 'another process\'s count is not replaced')
  await client.del(keys.partitions)
  await renewLogPartitions(client, keys, 2, TTL_MS)
  t.equal(await client.get(keys.partitions), '2')
  t.ok(await client.pttl(keys.partitions) > TTL_MS)
})
