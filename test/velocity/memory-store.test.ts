import t from 'tap'
import { createMemoryVelocityStore, DEFAULT_MAX_CELLS, DEFAULT_MAX_ENTITIES } from '../../src/velocity/memory-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { velocityStoreModelCheck, velocityStoreSuite } from '../helpers/velocity-store-suite.js'
import { count, DAY, distinct, exampleSpecs, features, HOUR, MINUTE, sum, T0 } from '../helpers/velocity-fixtures.js'
import { identify } from '../helpers/velocity-identify.js'

t.test('shared store behaviour', async (t) => {
  const create = async (_t: unknown, options = {}) => createMemoryVelocityStore(options)
  velocityStoreSuite(t, create)
  velocityStoreModelCheck(t, create, 300)
})

t.test('recordSync gives the values synchronously, as record does', async (t) => {
  const store = createMemoryVelocityStore()
  const plan = createVelocityPlanner(exampleSpecs)
  const charge = features({ ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp', bin: '424242', amount: 700 })
  t.same(store.recordSync({ atMs: T0, plan: plan(charge), identify }),
    { charges_per_ip_1h: 1, cards_per_email_24h: 1, amount_per_card_24h: 700, charges_per_bin_ip_1h: 1 })
  t.same(await store.record({ atMs: T0 + 1, plan: plan(charge), identify }),
    { charges_per_ip_1h: 2, cards_per_email_24h: 1, amount_per_card_24h: 1400, charges_per_bin_ip_1h: 2 })
  t.throws(() => store.recordSync({ atMs: Number.NaN, plan: plan(charge), identify }), TypeError)
})

t.test('entities expire one retention after their last write, on the latest time recorded', async (t) => {
  const store = createMemoryVelocityStore()
  const short = createVelocityPlanner([count('per_ip_1h', ['ip.address'], 3600)])
  const long = createVelocityPlanner([count('per_email_1d', ['email.address'], 86_400)])
  for (let i = 0; i < 5; i++) store.recordSync({ atMs: T0, plan: short(features({ ip: `198.51.100.${i}` })), identify })
  store.recordSync({ atMs: T0, plan: long(features({ email: 'a@example.com' })), identify })
  t.same(store.stats(), { entities: 6, cells: 6 * 2, forgotten: 0 }, 'one ring and one bucket each')
  store.recordSync({ atMs: T0 + HOUR - 1, plan: short(features({ ip: '198.51.100.200' })), identify })
  t.equal(store.stats().entities, 7, 'not yet')
  store.recordSync({ atMs: T0 + HOUR, plan: short(features({ ip: '198.51.100.200' })), identify })
  t.equal(store.stats().entities, 2, 'the five idle 1h entities are gone, the 1d one and the active one stay')
  t.equal(store.stats().forgotten, 0, 'expired, not forgotten at a bound')
  store.recordSync({ atMs: T0 + 2 * DAY, plan: short(features({ ip: '198.51.100.201' })), identify })
  t.equal(store.stats().entities, 1, 'then the 1d one too (entities of each retention expire in order)')
})

t.test('a ring holds only its non-zero buckets; a distinct series its values of the retention', async (t) => {
  const store = createMemoryVelocityStore()
  const plan = createVelocityPlanner([
    count('per_email_1h', ['email.address'], 3600), distinct('cards_per_email_1d', 'card.fingerprint', ['email.address'], 86_400)
  ])
  for (let i = 0; i < 100; i++) {
    store.recordSync({ atMs: T0 + i * MINUTE, plan: plan(features({ email: 'a@example.com', fingerprint: `fp_${i}` })), identify })
  }
  // 60 buckets + the ring, 100 values + the series
  t.same(store.stats(), { entities: 1, cells: 61 + 101, forgotten: 0 })
  store.recordSync({ atMs: T0 + 99 * MINUTE + DAY, plan: plan(features({ email: 'a@example.com', fingerprint: 'fp_new' })), identify })
  t.same(store.stats(), { entities: 1, cells: 2 + 2, forgotten: 0 }, 'a day later: one bucket, one value')
})

t.test('at most maxEntities: the least recently written are forgotten', async (t) => {
  const store = createMemoryVelocityStore({ maxEntities: 50 })
  const plan = createVelocityPlanner([count('per_ip', ['ip.address'], 3600), count('per_email', ['email.address'], 86_400)])
  for (let i = 0; i < 200; i++) {
    store.recordSync({ atMs: T0 + i, plan: plan(features({ ip: `10.0.${i % 100}.1` })), identify })
    t.ok(store.stats().entities <= 50, 'within the bound', { diagnostic: false })
  }
  t.equal(store.stats().forgotten, 150, 'every entity beyond the bound is counted as forgotten')
  store.recordSync({ atMs: T0 + 200, plan: plan(features({ ip: '10.0.0.250', email: 'e@example.com' })), identify })
  t.equal(store.stats().entities, 50)
  t.equal(store.recordSync({ atMs: T0 + 500, plan: plan(features({ ip: '10.0.99.1' })), identify }).per_ip, 2,
    'recently written: kept (its charge at +199; the one at +99 was forgotten by +149)')
  t.equal(store.recordSync({ atMs: T0 + 501, plan: plan(features({ ip: '10.0.0.1' })), identify }).per_ip, 1,
    'least recently written: forgotten')
  t.equal(store.recordSync({ atMs: T0 + 502, plan: plan(features({ ip: '10.0.0.9', email: 'e@example.com' })), identify }).per_email, 2,
    'entities of another retention are in the same order')
})

t.test('write order holds over many writes of a few entities (the order queue is compacted as it goes)', async (t) => {
  const store = createMemoryVelocityStore({ maxEntities: 3 })
  const plan = createVelocityPlanner([count('per_ip', ['ip.address'], 3600)])
  const write = (ip: string, atMs: number): number => store.recordSync({ atMs, plan: plan(features({ ip })), identify }).per_ip as number
  for (let i = 0; i < 5_000; i++) {
    write('10.0.0.1', T0 + i)
    write('10.0.0.2', T0 + i)
  }
  write('10.0.0.3', T0 + 5_000)
  t.equal(write('10.0.0.1', T0 + 5_001), 5_001, 'written again: now the most recent')
  t.equal(write('10.0.0.4', T0 + 5_002), 1)
  t.same(store.stats(), { entities: 3, cells: 3 * 2, forgotten: 1 }, '10.0.0.2, the least recently written, was forgotten')
  t.equal(write('10.0.0.2', T0 + 5_003), 1, 'its count starts again')
  t.equal(write('10.0.0.1', T0 + 5_004), 5_002, 'the others kept theirs')
})

t.test('at most maxCells: the least recently written are forgotten', async (t) => {
  const store = createMemoryVelocityStore({ maxCells: 100 })
  const plan = createVelocityPlanner([distinct('cards_per_ip', 'card.fingerprint', ['ip.address'], 3600)])
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 9; j++) {
      store.recordSync({ atMs: T0 + i * 10 + j, plan: plan(features({ ip: `10.0.0.${i}`, fingerprint: `fp_${j}` })), identify })
      t.ok(store.stats().cells <= 100, 'within the bound', { diagnostic: false })
    }
  }
  t.equal(store.stats().entities, 10, 'ten entities of ten cells')
  t.equal(store.stats().forgotten, 20)
  const kept = store.recordSync({ atMs: T0 + 400, plan: plan(features({ ip: '10.0.0.29' })), identify })
  t.equal(kept.cards_per_ip, 9)
  const gone = store.recordSync({ atMs: T0 + 401, plan: plan(features({ ip: '10.0.0.0' })), identify })
  t.equal(gone.cards_per_ip, 0)
  const small = createMemoryVelocityStore({ maxCells: 5 })
  const counts: number[] = []
  for (let j = 0; j < 9; j++) {
    counts.push(small.recordSync({ atMs: T0 + j, plan: plan(features({ ip: '10.0.0.1', fingerprint: `fp_${j}` })), identify }).cards_per_ip as number)
    t.ok(small.stats().cells <= 5, 'within the bound', { diagnostic: false })
  }
  t.same(counts, [1, 2, 3, 4, 5, 1, 2, 3, 4], 'an entity that alone outgrows the budget is forgotten, the one just written too')
})

t.test('an entity written under another retention (a new rule set) keeps its rings', async (t) => {
  const store = createMemoryVelocityStore()
  const before = createVelocityPlanner([count('per_ip_1h', ['ip.address'], 3600)])
  const after = createVelocityPlanner([count('per_ip_1h', ['ip.address'], 3600), sum('amount_per_ip_1d', 'amount', ['ip.address'], 86_400)])
  store.recordSync({ atMs: T0, plan: before(features({})), identify })
  t.same(store.recordSync({ atMs: T0 + 1, plan: after(features({ amount: 5 })), identify }), { per_ip_1h: 2, amount_per_ip_1d: 5 })
  t.equal(store.stats().entities, 1)
})

t.test('defaults and options', async (t) => {
  t.equal(DEFAULT_MAX_ENTITIES, 200_000)
  t.ok(DEFAULT_MAX_CELLS >= 1_000_000)
  t.throws(() => createMemoryVelocityStore({ maxDistinctPerSeries: 0 }), RangeError)
  t.throws(() => createMemoryVelocityStore({ maxEntities: 1.5 }), RangeError)
  t.throws(() => createMemoryVelocityStore({ maxCells: -1 }), RangeError)
})
