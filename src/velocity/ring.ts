import { MAX_SUM, RING_BUCKETS } from './store.js'

/**
 * One window of a `count` or `sum` series, in process: RING_BUCKETS time buckets of width
 * r = W / RING_BUCKETS, aligned on multiples of r since the epoch, plus their running total and
 * the newest bucket written (the head). A charge at `t` falls in bucket floor(t / r).
 *
 * The Lua function of record-script.ts does exactly the same on a Redis hash; the two are tested
 * to give identical values. Only non-zero buckets are kept, so an entity charged once holds one.
 */
export interface Ring {
  /** the newest bucket index written */
  head: number
  /** the sum of the buckets, within +-MAX_SUM */
  total: number
  /** [bucket, value, bucket, value, ...]: the non-zero buckets, ascending, all within head-59..head */
  cells: number[]
}

const LAST = RING_BUCKETS - 1

function clamp (x: number): number {
  return x > MAX_SUM ? MAX_SUM : x < -MAX_SUM ? -MAX_SUM : x
}

/**
 * What of `add` a bucket holding `cur` and a total `total` can take without either leaving
 * +-MAX_SUM, so that the total stays exactly the sum of the buckets. Exact in doubles: every
 * operand is an integer within +-MAX_SUM, and a difference beyond it never wins the min/max.
 */
export function clipAdd (add: number, total: number, cur: number): number {
  if (add > 0) return Math.min(add, MAX_SUM - total, MAX_SUM - cur)
  if (add < 0) return Math.max(add, -MAX_SUM - total, -MAX_SUM - cur)
  return 0
}

/** The bucket of a time: floor(t / r), for negative times too. */
export function bucketOf (atMs: number, widthMs: number): number {
  return Math.floor(atMs / widthMs)
}

export function newRing (bucket: number): Ring {
  return { head: bucket, total: 0, cells: [] }
}

/**
 * Adds `add` (1 for a count) at bucket `b` and returns the ring's value: the total of the buckets
 * b-59..head (the head is `b`, or later when a charge stamped later was recorded first).
 *
 * - b > head: the buckets leaving the window (older than b-59) are subtracted and cleared first
 *   (at most RING_BUCKETS steps, however long the ring was idle); head = b;
 * - b < head (a charge stamped earlier than one already recorded): added to its bucket if that is
 *   still within head-59..head, else not kept; the value then still counts the charge itself.
 */
export function recordRing (ring: Ring, b: number, add: number): number {
  if (b > ring.head) {
    if (b - ring.head > LAST) {
      ring.cells.length = 0
      ring.total = 0
    } else {
      const cells = ring.cells
      const keep = b - LAST
      let k = 0
      while (k < cells.length && (cells[k] as number) < keep) {
        ring.total = clamp(ring.total - (cells[k + 1] as number))
        k += 2
      }
      if (k > 0) cells.splice(0, k)
    }
    ring.head = b
  }
  if (b < ring.head - LAST) return clamp(ring.total + add)
  addAt(ring, b, add)
  return ring.total
}

function addAt (ring: Ring, b: number, add: number): void {
  const cells = ring.cells
  // the position of bucket b, searched from the newest (b is the head but for skewed clocks)
  let i = cells.length
  while (i > 0 && (cells[i - 2] as number) > b) i -= 2
  const found = i > 0 && cells[i - 2] === b
  const cur = found ? cells[i - 1] as number : 0
  const a = clipAdd(add, ring.total, cur)
  if (a === 0) return
  ring.total += a
  const value = cur + a
  if (found) {
    if (value === 0) cells.splice(i - 2, 2)
    else cells[i - 1] = value
  } else if (i === cells.length) {
    cells.push(b, value)
  } else {
    cells.splice(i, 0, b, value)
  }
}
