import t from 'tap'
import type { RedisClient } from '../../src/redis/client.js'
import { createVelocityStore } from '../../src/velocity/create-velocity-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { connectRedis } from '../helpers/redis.js'
import { exampleSpecs, features, T0 } from '../helpers/velocity-fixtures.js'

const HASH_KEY = 'test-hash-key-factory-0123456789'
let client: RedisClient
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

t.test('Redis when a client is given, in process otherwise; both count', async (t) => {
  const plan = createVelocityPlanner(exampleSpecs)(features({ ip: '198.51.100.1' }))
  const stores = [
    createVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: `test:${Date.now()}:`, maxEventsPerSeries: 10 }),
    createVelocityStore({ redis: null, hashKey: HASH_KEY, maxEventsPerSeries: 10, maxTotalEvents: 100 })
  ]
  t.same(stores.map((s) => s.backend), ['redis', 'memory'])
  for (const store of stores) {
    t.same(await store.record({ chargeId: 'ch_1', atMs: T0, plan }), { charges_per_ip_1h: 1 }, store.backend)
  }
})
