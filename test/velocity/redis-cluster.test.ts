import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Cluster } from 'ioredis'
import { pingRedis } from '../../src/redis/client.js'
import { createRedisVelocityStore } from '../../src/velocity/redis-store.js'
import { connectRedisCluster } from '../helpers/redis-cluster.js'
import { recorder, velocityStoreSuite } from '../helpers/velocity-store-suite.js'
import { exampleSpecs, T0 } from '../helpers/velocity-fixtures.js'

// a real local Redis Cluster of three masters: every script must touch one slot only
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
    createRedisVelocityStore({ redis: client, keyPrefix: newPrefix(), ...options }))
})

t.test('entities spread over the masters, every key with a TTL', async (t) => {
  const prefix = newPrefix()
  const record = recorder(createRedisVelocityStore({ redis: client, keyPrefix: prefix }), exampleSpecs)
  for (let i = 0; i < 30; i++) {
    await record(T0 + i, { ip: `198.51.100.${i}`, email: `s${i}@example.com`, fingerprint: `fp_${i}`, bin: '424242' })
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
  t.equal(total, 30 * 4, 'per charge: the hashes of ip, card and bin+ip, the sorted set of the email\'s cards')
  t.equal(nodesWithKeys, 3, 'keys live on every master')
})
