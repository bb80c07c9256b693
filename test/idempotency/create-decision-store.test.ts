import t from 'tap'
import { createDecisionStore } from '../../src/idempotency/create-decision-store.js'
import type { RedisClient } from '../../src/redis/client.js'
import { connectRedis } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-factory-0123456789'
let client: RedisClient
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

t.test('Redis when a client is given, in process otherwise; both keep the first record', async (t) => {
  const stores = [
    createDecisionStore({ redis: client, hashKey: HASH_KEY, keyPrefix: `test:${Date.now()}:`, defaultTtlSeconds: 60 }),
    createDecisionStore({ redis: null, hashKey: HASH_KEY, defaultTtlSeconds: 60, maxEntries: 10 })
  ]
  t.same(stores.map((s) => s.backend), ['redis', 'memory'])
  for (const store of stores) {
    await store.putIfAbsent('ch_1', { decision_id: 'a' })
    t.same(await store.putIfAbsent('ch_1', { decision_id: 'b' }), { decision_id: 'a' }, store.backend)
  }
})
