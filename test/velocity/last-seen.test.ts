import t from 'tap'
import fc from 'fast-check'
import { LastSeen } from '../../src/velocity/last-seen.js'

type Op =
  | { kind: 'set', value: string, time: number }
  | { kind: 'removeUpTo', time: number }
  | { kind: 'keepNewest', cap: number }

/** the sorted set's behaviour, naively: a map, sorted on every read */
class Model {
  readonly seen = new Map<string, number>()
  sorted (): Array<[string, number]> {
    return [...this.seen].sort(([va, ta], [vb, tb]) => ta - tb || (va < vb ? -1 : va > vb ? 1 : 0))
  }
}

t.test('behaves as a sorted set scored by time, in small and indexed series alike', async (t) => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), value: fc.integer({ min: 0, max: 24 }).map((i) => `v${i}`), time: fc.integer({ min: 0, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeUpTo' as const), time: fc.integer({ min: -1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('keepNewest' as const), cap: fc.integer({ min: 1, max: 20 }) }) }
  )
  fc.assert(fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
    const series = new LastSeen('card.fingerprint')
    const model = new Model()
    for (const o of ops) {
      if (o.kind === 'set') {
        const isNew = !model.seen.has(o.value)
        model.seen.set(o.value, o.time)
        if (series.set(o.value, o.time) !== isNew) throw new Error(`set ${o.value}: new should be ${isNew}`)
      } else if (o.kind === 'removeUpTo') {
        for (const [v, time] of model.seen) if (time <= o.time) model.seen.delete(v)
        series.removeUpTo(o.time)
      } else {
        for (const [v] of model.sorted().slice(0, Math.max(0, model.seen.size - o.cap))) model.seen.delete(v)
        series.keepNewest(o.cap)
      }
      if (series.size !== model.seen.size) throw new Error(`size ${series.size}, expected ${model.seen.size}`)
      for (let cut = -1; cut <= 41; cut += 3) {
        const expected = [...model.seen.values()].filter((time) => time > cut).length
        if (series.countAfter(cut) !== expected) throw new Error(`countAfter(${cut}) ${series.countAfter(cut)}, expected ${expected}`)
      }
    }
  }), { numRuns: 500 })
  t.pass('500 random sequences')
})

t.test('equal times are ordered by value, as Redis orders equal scores', async (t) => {
  const series = new LastSeen('x')
  for (const v of ['c', 'a', 'b']) series.set(v, 5)
  series.keepNewest(2)
  t.equal(series.set('a', 5), true, 'a, the lowest of equal times, was dropped')
  t.equal(series.set('c', 5), false, 'c was kept')
})
