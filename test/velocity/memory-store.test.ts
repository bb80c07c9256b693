import t from 'tap'
import { createMemoryVelocityStore } from '../../src/velocity/memory-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { velocityStoreModelCheck, velocityStoreSuite } from '../helpers/velocity-store-suite.js'
import { count, DAY, exampleSpecs, features, HOUR, T0 } from '../helpers/velocity-fixtures.js'

const HASH_KEY = 'test-hash-key-memory-store-0123456789'

t.test('shared store behaviour', async (t) => {
  const create = async (_t: unknown, options = {}) => createMemoryVelocityStore({ hashKey: HASH_KEY, ...options })
  velocityStoreSuite(t, create)
  velocityStoreModelCheck(t, create, 200)
})

t.test('entities expire one retention after their last charge', async (t) => {
  const store = createMemoryVelocityStore({ hashKey: HASH_KEY })
  const plan = createVelocityPlanner([count('per_ip_1h', ['ip.address'], 3600)])
  for (let i = 0; i < 5; i++) {
    await store.record({ chargeId: `ch_${i}`, atMs: T0, plan: plan(features({ ip: `198.51.100.${i}` })) })
  }
  t.same(store.stats(), { entities: 5, events: 5 })
  await store.record({ chargeId: 'ch_late', atMs: T0 + HOUR, plan: plan(features({ ip: '198.51.100.200' })) })
  t.same(store.stats(), { entities: 1, events: 1 }, 'the five idle entities are gone')
})

t.test('old events are dropped when an entity is written', async (t) => {
  const store = createMemoryVelocityStore({ hashKey: HASH_KEY })
  const plan = createVelocityPlanner(exampleSpecs)
  const charge = features({ email: 'a@example.com', fingerprint: 'fp', bin: '424242' })
  for (let i = 0; i < 10; i++) await store.record({ chargeId: `ch_${i}`, atMs: T0 + i, plan: plan(charge) })
  const before = store.stats().events
  await store.record({ chargeId: 'ch_next_day', atMs: T0 + 2 * DAY, plan: plan(charge) })
  t.ok(store.stats().events < before, `${store.stats().events} < ${before}`)
})

t.test('total memory is bounded: the least recently written entities are forgotten', async (t) => {
  const store = createMemoryVelocityStore({ hashKey: HASH_KEY, maxEventsPerSeries: 10, maxTotalEvents: 50 })
  const plan = createVelocityPlanner([count('per_ip', ['ip.address'], 3600)])
  for (let i = 0; i < 200; i++) {
    await store.record({ chargeId: `ch_${i}`, atMs: T0 + i, plan: plan(features({ ip: `10.0.${i % 100}.1` })) })
    t.ok(store.stats().events <= 50, 'within the budget', { diagnostic: false })
  }
  const recent = await store.record({ chargeId: 'ch_x', atMs: T0 + 500, plan: plan(features({ ip: '10.0.99.1' })) })
  t.equal(recent.per_ip, 2, 'the most recently written entity is kept (its charge at +199)')
  const forgotten = await store.record({ chargeId: 'ch_y', atMs: T0 + 501, plan: plan(features({ ip: '10.0.0.1' })) })
  t.equal(forgotten.per_ip, 1, 'an old one was forgotten')
})

t.test('options are checked', async (t) => {
  t.throws(() => createMemoryVelocityStore({ hashKey: HASH_KEY, maxEventsPerSeries: 0 }), RangeError)
  t.throws(() => createMemoryVelocityStore({ hashKey: HASH_KEY, maxEventsPerSeries: 10, maxTotalEvents: 5 }), RangeError)
  t.throws(() => createMemoryVelocityStore({ hashKey: '' }))
})
