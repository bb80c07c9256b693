import fc from 'fast-check'
import type { Test } from 'tap'

/** an item of an index read in order: its time and its name (a member, a decision field) */
export interface Timed { ms: number, name: string }

/** a read of an index: either way, from a position (an item's index) or the near end, to a bound (closed or open) or none */
export interface ReadQuery { desc: boolean, bound: number | undefined, open: boolean, start: number | undefined, count: number }

/** reads around times t0 .. t0 + span */
export function readQuery (t0: number, span: number): fc.Arbitrary<ReadQuery> {
  return fc.record({
    desc: fc.boolean(),
    bound: fc.option(fc.integer({ min: -2, max: span + 2 }).map((n) => t0 + n), { nil: undefined }),
    open: fc.boolean(),
    start: fc.option(fc.nat(), { nil: undefined }),
    count: fc.integer({ min: 1, max: 9 })
  })
}

/** one batch of a read: done (1 when nothing is left past it), then name, time... */
export type ReadBatch = (direction: 'd' | 'a', bound: string, positionMs: number | '', positionName: string, count: number) => Promise<[number, Array<string | number>]>

/**
 * Reads the query in batches, each from the last item of the one before, until done, and checks
 * that together they are the model's items (in order by time, then name) the query covers; with
 * `exactCount`, that no batch holds more than it asked for.
 */
export async function readsAsModel (t: Test, model: readonly Timed[], q: ReadQuery, read: ReadBatch, exactCount: boolean): Promise<boolean> {
  const ordered = q.desc ? [...model].reverse() : [...model]
  const inBound = (e: Timed): boolean => q.bound === undefined || (q.desc ? (q.open ? e.ms > q.bound : e.ms >= q.bound) : (q.open ? e.ms < q.bound : e.ms <= q.bound))
  let position = q.start === undefined || ordered.length === 0 ? undefined : ordered[q.start % ordered.length]
  const expected = (position === undefined ? ordered : ordered.slice(ordered.indexOf(position) + 1)).filter(inBound)
  const bound = q.bound === undefined ? (q.desc ? '-inf' : '+inf') : `${q.open ? '(' : ''}${q.bound}`
  const got: Timed[] = []
  for (let calls = 0; calls < 200; calls++) {
    const [done, flat] = await read(q.desc ? 'd' : 'a', bound, position === undefined ? '' : position.ms, position?.name ?? '', q.count)
    const batch: Timed[] = []
    for (let k = 0; k < flat.length; k += 2) batch.push({ name: flat[k] as string, ms: Number(flat[k + 1]) })
    if (exactCount && batch.length > q.count) return t.fail(`a batch of ${batch.length} for ${q.count}`)
    got.push(...batch)
    position = batch[batch.length - 1] ?? position
    if (done === 1) break
  }
  return t.same(got, expected, `read ${q.desc ? 'newest' : 'oldest'} first`, { diagnostic: false })
}
