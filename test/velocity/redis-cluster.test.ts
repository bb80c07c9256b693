import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Cluster } from 'ioredis'
import { createRedisDecisionStore } from '../../src/idempotency/redis-decision-store.js'
import { pingRedis } from '../../src/redis/client.js'
import { createRedisVelocityStore } from '../../src/velocity/redis-store.js'
import { decisionStoreSuite } from '../helpers/decision-store-suite.js'
import { connectRedisCluster } from '../helpers/redis-cluster.js'
import { recorder, velocityStoreSuite } from '../helpers/velocity-store-suite.js'
import { exampleSpecs, T0 } from '../helpers/velocity-fixtures.js'

// a real local Redis Cluster of three masters: every script must touch one slot only
const HASH_KEY = 'test-hash-key-cluster-0123456789'
let client: Cluster
t.before(async () => {
  client = await connectRedisCluster(t)
})

t.test('the cluster client answers PING', async (t) => {
  t.equal((await pingRedis(client)).ok, true)
})

const newPrefix = (): string => `test:${randomUUID()}:`

t.test('shared velocity store behaviour on Redis Cluster', async (t) => {
  velocityStoreSuite(t, async (_t, options = {}) =>
    createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix(), ...options }))
})

t.test('entities spread over the masters, every key with a TTL', async (t) => {
  const prefix = newPrefix()
  const record = recorder(createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix }), exampleSpecs)
  for (let i = 0; i < 30; i++) {
    await record(`ch_${i}`, T0 + i, { ip: `198.51.100.${i}`, email: `s${i}@example.com`, fingerprint: `fp_${i}`, bin: '424242' })
  }
  const masters = client.nodes('master')
  t.equal(masters.length, 3)
  let total = 0
  let nodesWithKeys = 0
  for (const node of masters) {
    const keys = await node.keys(`${prefix}*`)
    total += keys.length
    if (keys.length > 0) nodesWithKeys++
    for (const key of keys) {
      const pttl = await node.pttl(key)
      t.ok(pttl > 0, `${key} has a TTL`, { diagnostic: false })
    }
  }
  t.equal(total, 30 * 6, 'per charge: ip, email (+ distinct), card (+ sum), bin+ip')
  t.equal(nodesWithKeys, 3, 'keys live on every master')
})

t.test('shared decision store behaviour on Redis Cluster', async (t) => {
  decisionStoreSuite(t, async () => createRedisDecisionStore({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix() }))
})
