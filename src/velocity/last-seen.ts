/** Values up to which a series finds a value by scanning instead of keeping an index of them. */
const SCAN_UP_TO = 8

/**
 * The values of one `distinct` series by the time each was last seen, in process: the counterpart
 * of its Redis sorted set (member = value digest, score = time), ordered the same way: by time,
 * then by value (Redis orders equal scores by their bytes; digests are ASCII, where JavaScript's
 * string order is the same).
 *
 * Counting the values seen after a time is a binary search: O(log n) in the number of values,
 * whatever the number of charges. Recording a value in time order appends; a value seen again, or
 * stamped earlier than others, moves within the sorted arrays. A series of a few values (the
 * usual case) keeps no index of them, to stay small.
 */
export class LastSeen {
  /** the series' value path */
  readonly of: string
  private index: Map<string, number> | undefined
  private times: number[] = []
  private values: string[] = []

  constructor (of: string) {
    this.of = of
  }

  get size (): number {
    return this.times.length
  }

  /** index of the first entry after (time, value) or equal to it */
  private lowerBound (time: number, value: string): number {
    const { times, values } = this
    let lo = 0
    let hi = times.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const t = times[mid] as number
      if (t < time || (t === time && (values[mid] as string) < value)) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** index of the first entry later than `time` */
  private firstAfter (time: number): number {
    const times = this.times
    let lo = 0
    let hi = times.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((times[mid] as number) <= time) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private timeOf (value: string): number | undefined {
    if (this.index !== undefined) return this.index.get(value)
    const at = this.values.indexOf(value)
    return at < 0 ? undefined : this.times[at]
  }

  /** Sets the value's last-seen time (as ZADD does); true when the value is new. */
  set (value: string, time: number): boolean {
    const old = this.timeOf(value)
    if (old === time) return false
    const { times, values } = this
    if (old !== undefined) {
      const at = this.lowerBound(old, value)
      times.splice(at, 1)
      values.splice(at, 1)
    }
    if (times.length === 0) {
      // exactly one element: an empty array grown by push would reserve room for 17
      this.times = [time]
      this.values = [value]
    } else {
      const last = times.length - 1
      const lastTime = times[last] as number
      if (lastTime < time || (lastTime === time && (values[last] as string) < value)) {
        if (times.length < SCAN_UP_TO) {
          // new arrays of the exact size while small, rather than room for 17 more
          this.times = times.concat(time)
          this.values = values.concat(value)
        } else {
          times.push(time)
          values.push(value)
        }
      } else {
        const at = this.lowerBound(time, value)
        times.splice(at, 0, time)
        values.splice(at, 0, value)
      }
    }
    if (this.index !== undefined) {
      this.index.set(value, time)
    } else if (this.values.length > SCAN_UP_TO) {
      this.index = new Map(this.values.map((v, i) => [v, this.times[i] as number]))
    }
    return old === undefined
  }

  /** the number of values last seen later than `time` */
  countAfter (time: number): number {
    return this.times.length - this.firstAfter(time)
  }

  /** Removes the values last seen at or before `time` (ZREMRANGEBYSCORE -inf time). */
  removeUpTo (time: number): void {
    this.removeFirst(this.firstAfter(time))
  }

  /** Keeps the `cap` most recently seen values (ZREMRANGEBYRANK 0 size-cap-1). */
  keepNewest (cap: number): void {
    if (this.times.length > cap) this.removeFirst(this.times.length - cap)
  }

  private removeFirst (n: number): void {
    if (n <= 0) return
    if (this.index !== undefined) for (let i = 0; i < n; i++) this.index.delete(this.values[i] as string)
    this.times.splice(0, n)
    this.values.splice(0, n)
  }
}
