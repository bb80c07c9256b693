import t from 'tap'
import type { RedisClient } from '../../src/redis/client.js'
import { createVelocityStore } from '../../src/velocity/create-velocity-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { connectRedis } from '../helpers/redis.js'
import { exampleSpecs, features, T0 } from '../helpers/velocity-fixtures.js'
import { identify } from '../helpers/velocity-identify.js'

let client: RedisClient
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

t.test('Redis when a client is given, in process otherwise; both count', async (t) => {
  const plan = createVelocityPlanner(exampleSpecs)(features({ ip: '198.51.100.1' }))
  const stores = [
    createVelocityStore({ redis: client, keyPrefix: `test:${Date.now()}:`, maxDistinctPerSeries: 10 }),
    createVelocityStore({ redis: null, maxDistinctPerSeries: 10, maxEntities: 10, maxCells: 100 })
  ]
  t.same(stores.map((s) => s.backend), ['redis', 'memory'])
  for (const store of stores) {
    t.same(await store.record({ atMs: T0, plan, identify }), { charges_per_ip_1h: 1 }, store.backend)
  }
})
