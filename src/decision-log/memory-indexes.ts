import type { Decision } from '../schemas/decision.js'
import type { Position } from './cursor.js'
import { addPosting, postingsDescending, postingSize, removePosting } from './postings.js'
import type { Posting } from './postings.js'
import type { OutcomeLabel } from './record.js'
import { IdentifierKind } from './store.js'
import type { IndexEntry, SearchQuery } from './store.js'
import { TimeIndex } from './time-index.js'

/** what the in-process indexes know of a record */
export interface Indexed {
  atMs: number
  index: IndexEntry
  /** the latest outcome's label; undefined: none */
  label?: OutcomeLabel | undefined
  /** when its review was closed */
  closeMs?: number | undefined
}

const NONE = 'none'

/**
 * The in-process log's indexes, by time: every record, by decision kind, by fired rule, by latest
 * outcome label (`none` included), by identifier digest, and the open and closed reviews. A record
 * leaves every index it is in when it leaves the log, so they hold no more than the log.
 */
export class MemoryIndexes {
  private readonly all = new TimeIndex()
  private readonly decisions = new Map<Decision, TimeIndex>()
  private readonly rules = new Map<string, TimeIndex>()
  private readonly labels = new Map<string, TimeIndex>()
  private readonly identifiers = new Map<IdentifierKind, Map<string, Posting>>(
    Object.values(IdentifierKind).map((kind) => [kind, new Map<string, Posting>()]))

  readonly open = new TimeIndex()
  /** by close time */
  readonly closed = new TimeIndex()

  private readonly timeOf: (field: string) => number

  /** `timeOf`: the decision time of a record held */
  constructor (timeOf: (field: string) => number) {
    this.timeOf = timeOf
  }

  add (field: string, record: Indexed): void {
    const { atMs, index } = record
    this.all.add(atMs, field)
    indexOf(this.decisions, index.decision).add(atMs, field)
    for (const rule of index.rules) indexOf(this.rules, rule).add(atMs, field)
    indexOf(this.labels, record.label ?? NONE).add(atMs, field)
    for (const [kind, digest] of Object.entries(index.identifiers) as Array<[IdentifierKind, string]>) {
      addPosting(this.identifiers.get(kind) as Map<string, Posting>, digest, field, this.timeOf)
    }
    if (index.decision === 'review') {
      if (record.closeMs === undefined) this.open.add(atMs, field)
      else this.closed.add(record.closeMs, field)
    }
  }

  remove (field: string, record: Indexed): void {
    const { atMs, index } = record
    this.all.remove(atMs, field)
    removeFrom(this.decisions, index.decision, atMs, field)
    for (const rule of index.rules) removeFrom(this.rules, rule, atMs, field)
    removeFrom(this.labels, record.label ?? NONE, atMs, field)
    for (const [kind, digest] of Object.entries(index.identifiers) as Array<[IdentifierKind, string]>) {
      removePosting(this.identifiers.get(kind) as Map<string, Posting>, digest, field, atMs)
    }
    if (index.decision === 'review') {
      if (record.closeMs === undefined) this.open.remove(atMs, field)
      else this.closed.remove(record.closeMs, field)
    }
  }

  /** the record's latest outcome changed label */
  relabel (field: string, atMs: number, from: OutcomeLabel | undefined, to: OutcomeLabel): void {
    if (from === to) return
    removeFrom(this.labels, from ?? NONE, atMs, field)
    indexOf(this.labels, to).add(atMs, field)
  }

  /** the record's review was closed at `closeMs` */
  close (field: string, atMs: number, closeMs: number): void {
    this.open.remove(atMs, field)
    this.closed.add(closeMs, field)
  }

  /**
   * The candidates of a search, newest first, strictly before `before`: the records of its most
   * selective index (the fewest entries among the filters given), or every record.
   */
  candidates (query: SearchQuery, before: Position | undefined): Iterable<Position> {
    const choices: Array<{ size: number, read: () => Iterable<Position> }> = []
    const byIndex = (index: TimeIndex | undefined): void => {
      choices.push({ size: index?.size ?? 0, read: () => index?.descending(before) ?? [] })
    }
    if (query.decision !== undefined) byIndex(this.decisions.get(query.decision))
    if (query.rule !== undefined) byIndex(this.rules.get(query.rule))
    if (query.outcome !== undefined) byIndex(this.labels.get(query.outcome))
    if (query.identifier !== undefined) {
      const postings = this.identifiers.get(query.identifier.kind) as Map<string, Posting>
      const digest = query.identifier.digest
      choices.push({ size: postingSize(postings, digest), read: () => postingsDescending(postings, digest, before, this.timeOf) })
    }
    if (choices.length === 0) return this.all.descending(before)
    choices.sort((a, b) => a.size - b.size)
    return (choices[0] as (typeof choices)[number]).read()
  }
}

function indexOf<K> (map: Map<K, TimeIndex>, key: K): TimeIndex {
  let index = map.get(key)
  if (index === undefined) {
    index = new TimeIndex()
    map.set(key, index)
  }
  return index
}

function removeFrom<K> (map: Map<K, TimeIndex>, key: K, ms: number, field: string): void {
  const index = map.get(key)
  if (index === undefined) return
  index.remove(ms, field)
  // rule ids and labels come and go with rule sets: an emptied index goes
  if (index.size === 0) map.delete(key)
}
