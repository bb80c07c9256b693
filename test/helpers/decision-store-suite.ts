import type { Test } from 'tap'
import type { DecisionStore } from '../../src/idempotency/decision-store.js'

/** a fresh, empty store of one implementation for each subtest */
export type CreateDecisionStore = (t: Test) => Promise<DecisionStore>

interface Record {
  decision_id: string
  decision: string
  score: number
  reasons: Array<{ rule: string }>
}

const record = (id: string): Record => ({ decision_id: id, decision: 'review', score: 55, reasons: [{ rule: 'tor_exit' }] })

/** The behaviour every DecisionStore has, written once and run against each implementation. */
export function decisionStoreSuite (t: Test, create: CreateDecisionStore): void {
  t.test('nothing stored: get gives undefined', async (t) => {
    const store = await create(t)
    t.equal(await store.get('ch_none'), undefined)
  })

  t.test('the first record stored wins', async (t) => {
    const store = await create(t)
    const first = record('dec_1')
    t.equal(await store.putIfAbsent('ch_1', first, 60), first, 'stored: the record itself comes back')
    t.same(await store.putIfAbsent('ch_1', record('dec_2'), 60), first, 'already stored: the stored one comes back')
    t.same(await store.get<Record>('ch_1'), first)
    t.same(await store.putIfAbsent('ch_2', record('dec_3')), record('dec_3'), 'another charge id is independent (default TTL)')
    t.same(await store.get<Record>('ch_2'), record('dec_3'))
  })

  t.test('stored records are copies', async (t) => {
    const store = await create(t)
    const first = record('dec_1')
    await store.putIfAbsent('ch_1', first, 60)
    first.score = 99
    const got = await store.get<Record>('ch_1')
    t.equal(got?.score, 55)
    if (got !== undefined) got.reasons.push({ rule: 'x' })
    t.same(await store.get<Record>('ch_1'), record('dec_1'))
  })

  t.test('concurrent puts of one charge id: one wins and everyone gets it', async (t) => {
    const store = await create(t)
    const results = await Promise.all(Array.from({ length: 25 }, async (_, i) =>
      await store.putIfAbsent('ch_race', record(`dec_${i}`), 60)))
    const winners = new Set(results.map((r) => r.decision_id))
    t.equal(winners.size, 1, 'a single winner')
    t.same(await store.get<Record>('ch_race'), results[0])
  })

  t.test('arguments are checked', async (t) => {
    const store = await create(t)
    await t.rejects(store.get(''), TypeError)
    await t.rejects(store.putIfAbsent('', record('d'), 60), TypeError)
    await t.rejects(store.putIfAbsent('ch', record('d'), 0), RangeError)
    await t.rejects(store.putIfAbsent('ch', record('d'), 1.5), RangeError)
    await t.rejects(store.putIfAbsent('ch', undefined, 60), TypeError)
    t.equal(await store.get('ch'), undefined, 'nothing was stored')
  })
}
