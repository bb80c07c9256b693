/**
 * The values of one `distinct` series by the time each was last seen, in process: the counterpart
 * of its Redis sorted set (member = value digest, score = time), ordered the same way: by time,
 * then by value (Redis orders equal scores by their bytes; digests are ASCII, where JavaScript's
 * string order is the same).
 *
 * Counting the values seen after a time is a binary search: O(log n) in the number of values,
 * whatever the number of charges. Recording a value in time order appends; a value seen again, or
 * stamped earlier than others, moves within the sorted arrays.
 */
export class LastSeen {
  private readonly seen = new Map<string, number>()
  private readonly times: number[] = []
  private readonly values: string[] = []

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

  /** Sets the value's last-seen time (as ZADD does); true when the value is new. */
  set (value: string, time: number): boolean {
    const old = this.seen.get(value)
    if (old === time) return false
    if (old !== undefined) {
      const at = this.lowerBound(old, value)
      this.times.splice(at, 1)
      this.values.splice(at, 1)
    }
    this.seen.set(value, time)
    const last = this.times.length - 1
    const lastTime = this.times[last]
    if (lastTime === undefined || lastTime < time || (lastTime === time && (this.values[last] as string) < value)) {
      this.times.push(time)
      this.values.push(value)
    } else {
      const at = this.lowerBound(time, value)
      this.times.splice(at, 0, time)
      this.values.splice(at, 0, value)
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
    for (let i = 0; i < n; i++) this.seen.delete(this.values[i] as string)
    this.times.splice(0, n)
    this.values.splice(0, n)
  }
}
