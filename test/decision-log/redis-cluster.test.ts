import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Cluster } from 'ioredis'
import { createRedisDecisionLog } from '../../src/decision-log/redis-store.js'
import { decisionLogSuite, decisionRecord } from '../helpers/decision-log-suite.js'
import { connectRedisCluster } from '../helpers/redis-cluster.js'

// a real local Redis Cluster of three masters: every command must touch one slot only
const HASH_KEY = 'test-hash-key-decision-log-cluster-0123'
let client: Cluster
t.before(async () => {
  client = await connectRedisCluster(t)
})

const newPrefix = (): string => `test:${randomUUID()}:`

t.test('shared decision log behaviour on Redis Cluster', async (t) => {
  decisionLogSuite(t, async () => createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix(), partitions: 8, scanBatch: 4 }))
})

t.test('partitions and indexes spread over the masters', async (t) => {
  const prefix = newPrefix()
  const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix, partitions: 8 })
  await store.append(Array.from({ length: 60 }, () => decisionRecord('2026-11-21T10:00:00.000Z')))
  let streams = 0
  let nodesWithStreams = 0
  for (const node of client.nodes('master')) {
    const keys = (await node.keys(`${prefix}*`)).filter((k) => k.endsWith(':stream'))
    streams += keys.length
    if (keys.length > 0) nodesWithStreams++
  }
  t.equal(streams, 8)
  t.ok(nodesWithStreams >= 2, `the 8 partitions live on ${nodesWithStreams} of 3 masters`)
})
