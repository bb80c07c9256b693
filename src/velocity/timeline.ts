/**
 * Events sorted by time, oldest first: the in-process counterpart of a Redis sorted set scored by
 * time. Appends are O(1) when time moves forward (the usual case); counts use binary search.
 */
export class Timeline<V> {
  readonly times: number[] = []
  readonly values: V[] = []

  get length (): number {
    return this.times.length
  }

  /** index of the first event later than `time` */
  firstAfter (time: number): number {
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

  insert (time: number, value: V): void {
    const last = this.times[this.times.length - 1]
    if (last === undefined || last <= time) {
      this.times.push(time)
      this.values.push(value)
      return
    }
    const at = this.firstAfter(time)
    this.times.splice(at, 0, time)
    this.values.splice(at, 0, value)
  }

  /** number of events later than `time` */
  countAfter (time: number): number {
    return this.times.length - this.firstAfter(time)
  }

  /**
   * Drops the events at or before `time`, then the oldest beyond `cap`; returns the dropped values.
   */
  trim (time: number, cap: number): V[] {
    const drop = Math.max(this.firstAfter(time), this.times.length - cap)
    if (drop <= 0) return []
    this.times.splice(0, drop)
    return this.values.splice(0, drop)
  }
}
