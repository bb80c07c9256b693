import { comparePositions } from './cursor.js'
import type { Position } from './cursor.js'

/**
 * The fields of the in-process log's records that share something (a decision kind, a fired rule,
 * an outcome label...), sorted by time then field: parallel arrays (times unboxed, fields shared
 * with the records' own strings), about 16 bytes an entry. Records arrive nearly in time order and
 * leave oldest first, so adding is usually a push and removing usually moves a head offset; the
 * rest is a binary search and a splice.
 */
export class TimeIndex {
  private ms: number[] = []
  private fields: string[] = []
  private head = 0

  get size (): number {
    return this.fields.length - this.head
  }

  add (ms: number, field: string): void {
    const n = this.fields.length
    if (n === this.head || comparePositions({ ms, field }, this.at(n - 1)) > 0) {
      this.ms.push(ms)
      this.fields.push(field)
      return
    }
    const at = this.lowerBound({ ms, field })
    if (at < n && this.ms[at] === ms && this.fields[at] === field) return
    this.ms.splice(at, 0, ms)
    this.fields.splice(at, 0, field)
  }

  remove (ms: number, field: string): void {
    const at = this.lowerBound({ ms, field })
    if (at >= this.fields.length || this.ms[at] !== ms || this.fields[at] !== field) return
    if (at === this.head) {
      this.head++
      this.compact()
    } else {
      this.ms.splice(at, 1)
      this.fields.splice(at, 1)
    }
  }

  /** newest first, strictly before `before` (in that order) when given */
  * descending (before?: Position): Generator<Position> {
    let i = before === undefined ? this.fields.length - 1 : this.lowerBound(before) - 1
    for (; i >= this.head; i--) yield this.at(i)
  }

  /** oldest first, strictly after `after` when given */
  * ascending (after?: Position): Generator<Position> {
    let i = after === undefined ? this.head : this.lowerBound(after)
    if (after !== undefined && i < this.fields.length && comparePositions(this.at(i), after) === 0) i++
    for (; i < this.fields.length; i++) yield this.at(i)
  }

  private at (i: number): Position {
    return { ms: this.ms[i] as number, field: this.fields[i] as string }
  }

  /** the first place at or after `position` */
  private lowerBound (position: Position): number {
    let lo = this.head
    let hi = this.fields.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (comparePositions(this.at(mid), position) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** drops the removed head once it is most of the arrays */
  private compact (): void {
    if (this.head === this.fields.length) {
      this.ms = []
      this.fields = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.fields.length) {
      this.ms = this.ms.slice(this.head)
      this.fields = this.fields.slice(this.head)
      this.head = 0
    }
  }
}
