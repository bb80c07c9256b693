import t from 'tap'
import { DEFAULT_DECISION_TTL_SECONDS } from '../../src/idempotency/decision-store.js'
import { createMemoryDecisionStore } from '../../src/idempotency/memory-decision-store.js'
import { decisionStoreSuite } from '../helpers/decision-store-suite.js'

t.test('shared decision store behaviour', async (t) => {
  decisionStoreSuite(t, async () => createMemoryDecisionStore())
})

t.test('records expire after their TTL', async (t) => {
  let now = 1_000_000
  const store = createMemoryDecisionStore({ now: () => now })
  await store.putIfAbsent('ch_short', { d: 1 }, 10)
  await store.putIfAbsent('ch_default', { d: 2 })
  now += 9_999
  t.same(await store.get('ch_short'), { d: 1 }, 'still there just before its TTL')
  now += 1
  t.equal(await store.get('ch_short'), undefined, 'gone at its TTL')
  t.same(await store.putIfAbsent('ch_short', { d: 3 }, 10), { d: 3 }, 'an expired record can be replaced')
  now = 1_000_000 + DEFAULT_DECISION_TTL_SECONDS * 1000 - 1
  t.same(await store.get('ch_default'), { d: 2 }, 'the default TTL is 7 days')
  now += 1
  t.equal(await store.get('ch_default'), undefined)
})

t.test('bounded: beyond maxEntries the oldest records are dropped', async (t) => {
  const store = createMemoryDecisionStore({ maxEntries: 3 })
  for (let i = 0; i < 5; i++) await store.putIfAbsent(`ch_${i}`, { i }, 60)
  t.equal(await store.get('ch_0'), undefined)
  t.equal(await store.get('ch_1'), undefined)
  t.same(await store.get('ch_4'), { i: 4 })
  t.same(await store.get('ch_2'), { i: 2 })
})

t.test('options are checked', async (t) => {
  t.throws(() => createMemoryDecisionStore({ maxEntries: 0 }), RangeError)
  t.throws(() => createMemoryDecisionStore({ defaultTtlSeconds: 0 }), RangeError)
})
