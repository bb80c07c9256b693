import { test } from 'tap'
import { createOutbox, ItemResult } from '../../src/outbox/outbox.js'
import type { ItemResult as Result, Settled } from '../../src/outbox/outbox.js'

const quiet = { warn: () => {}, error: () => {} }

test('items are written in batches after the turn that queued them', async (t) => {
  const outbox = createOutbox({ log: quiet })
  const batches: number[][] = []
  outbox.define<number>('n', {
    batchSize: 3,
    async write (items) {
      batches.push([...items])
      return items.map(() => ItemResult.DONE)
    }
  })
  for (let i = 0; i < 7; i++) t.equal(outbox.add('n', i), true)
  t.same(batches, [], 'nothing is written in the turn that queues')
  t.equal(outbox.depth(), 7)
  t.same(await outbox.flush(), { left: 0 })
  t.same(batches.flat(), [0, 1, 2, 3, 4, 5, 6], 'every item once, in order')
  t.ok(batches.every((b) => b.length <= 3), 'at most batchSize per write')
  t.equal(outbox.stats().n?.written, 7)
  t.equal(outbox.depth(), 0)
})

test('a failing write is retried with backoff until the store takes it; nothing is lost or doubled', async (t) => {
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1, maxBackoffMs: 4 })
  let failures = 3
  const written: string[] = []
  outbox.define<string>('s', {
    async write (items) {
      if (failures-- > 0) throw new Error('store unavailable')
      written.push(...items)
      return items.map(() => ItemResult.DONE)
    }
  })
  outbox.add('s', 'a')
  outbox.add('s', 'b')
  await outbox.flush()
  t.same(written, ['a', 'b'])
  t.equal(outbox.stats().s?.retries, 3, 'each failed attempt counted')
})

test('an item answered LATER is tried again, and dropped (counted, settled) once held past its limit', async (t) => {
  let clock = 0
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1, maxBackoffMs: 1, now: () => clock })
  const settled: Array<[string, Settled]> = []
  let answers: Result[] = [ItemResult.LATER, ItemResult.LATER, ItemResult.DONE]
  outbox.define<string>('held', {
    holdMs: 1000,
    async write (items) {
      clock += 600
      return items.map(() => answers.shift() ?? ItemResult.LATER)
    },
    settled: (item, outcome) => { settled.push([item, outcome]) }
  })
  outbox.add('held', 'x')
  // a flush tries a held item once more and then leaves it waiting: three flushes, three tries
  await outbox.flush()
  t.same(settled, [], 'held after the first try')
  t.equal(outbox.depth(), 1)
  await outbox.flush()
  await outbox.flush()
  t.same(settled, [['x', { written: true }]], 'written on the third try')

  answers = []
  // each try moves the clock on 600 ms: the third is past the 1000 ms hold
  outbox.add('held', 'y')
  for (let tries = 0; tries < 3; tries++) await outbox.flush()
  t.same(settled[1], ['y', { written: false, reason: 'expired' }])
  t.equal(outbox.stats().held?.dropped.expired, 1)
  t.equal(outbox.depth(), 0)
})

test('a full outbox drops new items and counts them', async (t) => {
  const outbox = createOutbox({ log: quiet, maxItems: 2 })
  const dropped: string[] = []
  outbox.define<string>('k', {
    write: async (items) => items.map(() => ItemResult.DONE),
    settled: (item, outcome) => { if (!outcome.written) dropped.push(`${item}:${outcome.reason}`) }
  })
  t.equal(outbox.add('k', 'a'), true)
  t.equal(outbox.add('k', 'b'), true)
  t.equal(outbox.add('k', 'c'), false)
  t.same(dropped, ['c:full'])
  t.equal(outbox.stats().k?.dropped.full, 1)
  await outbox.flush()
  t.equal(outbox.stats().k?.written, 2)
})

test('close writes what it can, then drops what is left (counted as shutdown)', async (t) => {
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1 })
  const settled: string[] = []
  outbox.define<string>('ok', { write: async (items) => items.map(() => ItemResult.DONE), settled: (i, o) => { settled.push(`${i}:${o.written ? 'written' : o.reason}`) } })
  outbox.define<string>('down', { write: async () => { throw new Error('unavailable') }, settled: (i, o) => { settled.push(`${i}:${o.written ? 'written' : o.reason}`) } })
  outbox.add('ok', 'a')
  outbox.add('down', 'b')
  await outbox.close(20)
  t.same(settled.sort(), ['a:written', 'b:shutdown'])
  t.equal(outbox.stats().down?.dropped.shutdown, 1)
  t.equal(outbox.add('ok', 'late'), false, 'a closed outbox takes nothing')
  t.equal(outbox.stats().ok?.dropped.shutdown, 1)
})

test('a writer returning the wrong number of results is a failed write, retried', async (t) => {
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1 })
  let calls = 0
  outbox.define<string>('w', {
    async write (items) {
      calls++
      return calls === 1 ? [] : items.map(() => ItemResult.DONE)
    }
  })
  outbox.add('w', 'a')
  await outbox.flush()
  t.equal(calls, 2)
  t.equal(outbox.stats().w?.retries, 1)
})

test('a flush does not wait on held items beyond one more try, and close drops them (counted)', async (t) => {
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1 })
  let tries = 0
  const settled: string[] = []
  outbox.define<string>('waits', {
    async write (items) {
      tries++
      return items.map(() => ItemResult.LATER)
    },
    settled: (item, outcome) => { settled.push(`${item}:${outcome.written ? 'written' : outcome.reason}`) }
  })
  outbox.define<string>('ok', { write: async (items) => items.map(() => ItemResult.DONE) })
  outbox.add('waits', 'w')
  outbox.add('ok', 'o')
  t.same(await outbox.flush(), { left: 1 }, 'the held item is left')
  // tried when the flush began, and once more after the other kind's write (which might have been what it waited for)
  t.equal(tries, 2)
  await outbox.close(1000)
  t.same(settled, ['w:shutdown'])
})

test('kinds are defined once and must be defined before use', async (t) => {
  const outbox = createOutbox({ log: quiet })
  outbox.define('a', { write: async (items: readonly unknown[]) => items.map(() => ItemResult.DONE) })
  t.throws(() => outbox.define('a', { write: async (items: readonly unknown[]) => items.map(() => ItemResult.DONE) }))
  t.throws(() => outbox.add('nope', 1))
})

test('lingerMs: a partial batch of new items waits for more, up to lingerMs; a full batch or a flush does not wait', async (t) => {
  let clock = 1000
  const outbox = createOutbox({ log: quiet, now: () => clock })
  const batches: number[][] = []
  let wrote: () => void = () => {}
  outbox.define<number>('n', {
    batchSize: 3,
    lingerMs: 5,
    async write (items) {
      batches.push([...items])
      wrote()
      return items.map(() => ItemResult.DONE)
    }
  })
  const written = async (): Promise<void> => await new Promise<void>((resolve) => { wrote = resolve })

  outbox.add('n', 1)
  outbox.add('n', 2)
  await new Promise<void>((resolve) => setImmediate(resolve))
  await new Promise<void>((resolve) => setImmediate(resolve))
  t.same(batches, [], 'two items of a batch of three wait')
  const third = written()
  outbox.add('n', 3)
  await third
  t.same(batches, [[1, 2, 3]], 'a full batch is written at once')

  const late = written()
  outbox.add('n', 4)
  clock += 5
  await late
  t.same(batches, [[1, 2, 3], [4]], 'written when its linger is over (the timer set for it fires)')

  outbox.add('n', 5)
  t.same(await outbox.flush(), { left: 0 }, 'a flush does not wait for the linger')
  t.same(batches, [[1, 2, 3], [4], [5]])
})
