import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Cluster } from 'ioredis'
import { createRedisDecisionLog } from '../../src/decision-log/redis-store.js'
import { decisionLogSuite, entry, keysOf, SUITE_HASH_KEY } from '../helpers/decision-log-suite.js'
import { decisionLogSearchSuite } from '../helpers/decision-log-search-suite.js'
import { noRawIdentifiersProperty } from '../helpers/decision-log-redis-dump.js'
import { connectRedisCluster } from '../helpers/redis-cluster.js'

// a real local Redis Cluster of three masters: every script must touch one slot only
let client: Cluster
t.before(async () => {
  client = await connectRedisCluster(t)
})

const newPrefix = (): string => `test:${randomUUID()}:`

t.test('shared decision log behaviour on Redis Cluster', async (t) => {
  decisionLogSuite(t, async (_t, options = {}) => createRedisDecisionLog({
    redis: client,
    hashKey: SUITE_HASH_KEY,
    keys: keysOf(options.partitions ?? 8),
    keyPrefix: newPrefix(),
    scanBatch: 4,
    ...(options.maxRecords !== undefined ? { maxPerPartition: options.maxRecords } : {}),
    ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {})
  }))
})

t.test('search, review queue, outcome history and overview on Redis Cluster', async (t) => {
  decisionLogSearchSuite(t, async (_t, options = {}) => createRedisDecisionLog({
    redis: client,
    hashKey: SUITE_HASH_KEY,
    keys: keysOf(options.partitions ?? 8),
    keyPrefix: newPrefix(),
    ...(options.maxRecords !== undefined ? { maxPerPartition: options.maxRecords } : {}),
    ...(options.examineMax !== undefined ? { examineMax: options.examineMax } : {}),
    // pages of two members: a paged index's pages and directory in one slot
    pageMax: 2
  }), { propertyRuns: 15 })
})

noRawIdentifiersProperty(t, () => client, 10)

t.test('partitions spread over the masters', async (t) => {
  const prefix = newPrefix()
  const keys = keysOf(8)
  const store = createRedisDecisionLog({ redis: client, hashKey: SUITE_HASH_KEY, keys, keyPrefix: prefix })
  await store.append(Array.from({ length: 60 }, () => entry(keys, Date.now())))
  let streams = 0
  let nodesWithStreams = 0
  for (const node of client.nodes('master')) {
    const found = (await node.keys(`${prefix}*`)).filter((k) => k.endsWith(':s'))
    streams += found.length
    if (found.length > 0) nodesWithStreams++
  }
  t.equal(streams, 8)
  t.ok(nodesWithStreams >= 2, `the 8 partitions live on ${nodesWithStreams} of 3 masters`)
})
