import { MAX_SUM, RING_BUCKETS } from './store.js'

/**
 * One window of a `count` or `sum` series, in process: RING_BUCKETS time buckets of width
 * r = W / RING_BUCKETS, aligned on multiples of r since the epoch, plus their running total and
 * the newest bucket written (the head). A charge at `t` falls in bucket floor(t / r).
 *
 * The Lua function of record-script.ts does exactly the same on a Redis hash; the two are tested
 * to give identical values. Only non-zero buckets are kept, so an entity charged once holds one.
 *
 * One flat array, to keep an entity small: [head, total, bucket, value, bucket, value, ...], the
 * buckets ascending, all within head-59..head, the total within +-MAX_SUM.
 */
export type Ring = number[]

const HEAD = 0
const TOTAL = 1
const FIRST = 2
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

/** A ring whose first charge, `add` (within +-MAX_SUM), falls in bucket `b`; its value is `add`. */
export function newRing (b: number, add: number): Ring {
  return add === 0 ? [b, 0] : [b, add, b, add]
}

export function ringTotal (ring: Ring): number {
  return ring[TOTAL] as number
}

/** the number of non-zero buckets held */
export function ringBuckets (ring: Ring): number {
  return (ring.length - FIRST) / 2
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
  const head = ring[HEAD] as number
  if (b > head) {
    if (b - head > LAST) {
      ring.length = FIRST
      ring[TOTAL] = 0
    } else {
      const keep = b - LAST
      let total = ring[TOTAL] as number
      let k = FIRST
      while (k < ring.length && (ring[k] as number) < keep) {
        total = clamp(total - (ring[k + 1] as number))
        k += 2
      }
      ring[TOTAL] = total
      if (k > FIRST) ring.splice(FIRST, k - FIRST)
    }
    ring[HEAD] = b
  }
  if (b < (ring[HEAD] as number) - LAST) return clamp((ring[TOTAL] as number) + add)
  addAt(ring, b, add)
  return ring[TOTAL] as number
}

function addAt (ring: Ring, b: number, add: number): void {
  // the position of bucket b, searched from the newest (b is the head but for skewed clocks)
  let i = ring.length
  while (i > FIRST && (ring[i - 2] as number) > b) i -= 2
  const found = i > FIRST && ring[i - 2] === b
  const cur = found ? ring[i - 1] as number : 0
  const a = clipAdd(add, ring[TOTAL] as number, cur)
  if (a === 0) return
  ring[TOTAL] = (ring[TOTAL] as number) + a
  const value = cur + a
  if (found) {
    if (value === 0) ring.splice(i - 2, 2)
    else ring[i - 1] = value
  } else if (i === ring.length) {
    ring.push(b, value)
  } else {
    ring.splice(i, 0, b, value)
  }
}
