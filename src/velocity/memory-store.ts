import type { VelocitySignals } from '../schemas/signals.js'
import { assignResults, entityOps } from './entity-op.js'
import type { EntityOp } from './entity-op.js'
import { LastSeen } from './last-seen.js'
import { bucketOf, newRing, recordRing, ringBuckets } from './ring.js'
import type { Ring } from './ring.js'
import { DEFAULT_MAX_DISTINCT_PER_SERIES } from './store.js'
import type { VelocityRecordInput, VelocityStore } from './store.js'

export interface MemoryVelocityStoreOptions {
  /** the most values a distinct series keeps (default DEFAULT_MAX_DISTINCT_PER_SERIES) */
  maxDistinctPerSeries?: number
  /** the most entities kept; beyond it the least recently written are forgotten */
  maxEntities?: number
  /**
   * The most cells kept over all entities: a cell is a ring or one of its non-zero buckets, a
   * distinct series or one of its values. Beyond it the least recently written entities are
   * forgotten whole (the one just written too, when it alone is larger).
   */
  maxCells?: number
}

export const DEFAULT_MAX_ENTITIES = 200_000
export const DEFAULT_MAX_CELLS = 2_000_000

interface EntityState {
  /** the entity's key */
  id: string
  /** the group holding it; undefined once it is forgotten */
  group: Group | undefined
  /** ring names (RingOp.id) and the rings, in the same order */
  ids: string[]
  rings: Ring[]
  distinct: LastSeen[] | undefined
  /** like a Redis TTL, on the store's clock: one retention after the latest atMs written */
  expiresAt: number
  /** write order over all entities: the least recently written is the lowest */
  seq: number
  cells: number
}

/**
 * The entities of one retention, and their write order: every write appends the entity and its
 * write number to the queue; an entry is stale once its entity is written again (its seq moves
 * on) or forgotten, and is skipped. The front of the queue, stale entries skipped, is the least
 * recently written entity of the group: it expires first. (A Map alone, deleted and re-set on
 * every write, keeps that order too, but finding its first entry then walks over every deleted
 * slot V8 has not compacted yet: tens of microseconds on a busy store.)
 */
interface Group {
  retentionMs: number
  entities: Map<string, EntityState>
  queue: EntityState[]
  /** the seq of each queue entry when it was appended */
  seqs: number[]
  head: number
}

/** queue entries kept beyond twice the live entities before the queue is compacted */
const QUEUE_SLACK = 1024

export interface MemoryVelocityStore extends VelocityStore {
  /** record, computed synchronously (the same code serves live charges and backtests) */
  recordSync (input: VelocityRecordInput): VelocitySignals
  /**
   * entities and cells held, and how many entities were forgotten at the bounds (maxEntities,
   * maxCells) before they expired: their next charges read lower than an unbounded store would
   */
  stats (): { entities: number, cells: number, forgotten: number }
}

function positiveInteger (name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`)
  return value
}

/**
 * The in-process velocity store, for a single instance without Redis and for backtests: the same
 * semantics as the Redis store (see VelocityStore and docs/velocity.md), computed synchronously,
 * so every record is atomic. No I/O and no clock of its own: time is the charges' `atMs`.
 *
 * Memory is bounded: an entity expires one retention (its longest window) after its last write,
 * measured on the store's clock (the latest `atMs` recorded), and at most `maxEntities` entities
 * and `maxCells` cells are kept, the least recently written forgotten first.
 */
export function createMemoryVelocityStore (options: MemoryVelocityStoreOptions = {}): MemoryVelocityStore {
  const cap = positiveInteger('maxDistinctPerSeries', options.maxDistinctPerSeries ?? DEFAULT_MAX_DISTINCT_PER_SERIES)
  const maxEntities = positiveInteger('maxEntities', options.maxEntities ?? DEFAULT_MAX_ENTITIES)
  const maxCells = positiveInteger('maxCells', options.maxCells ?? DEFAULT_MAX_CELLS)
  // entities grouped by retention, each group in write order: within a group the front expires
  // first, and the least recently written entity of all is at the front of one of the groups
  const groups = new Map<number, Group>()
  let groupList: Group[] = []
  let entityCount = 0
  let cellCount = 0
  let forgotten = 0
  let seq = 0
  let clock = -Infinity

  function find (id: string, retentionMs: number): EntityState | undefined {
    const state = groups.get(retentionMs)?.entities.get(id)
    if (state !== undefined) return state
    // written under another rule set, with another retention
    for (const group of groupList) {
      if (group.retentionMs === retentionMs) continue
      const other = group.entities.get(id)
      if (other !== undefined) return other
    }
    return undefined
  }

  function groupOf (retentionMs: number): Group {
    let group = groups.get(retentionMs)
    if (group === undefined) {
      group = { retentionMs, entities: new Map(), queue: [], seqs: [], head: 0 }
      groups.set(retentionMs, group)
      groupList.push(group)
    }
    return group
  }

  /** the live entries of a group's queue, in order */
  function compact (group: Group): void {
    const queue: EntityState[] = []
    const seqs: number[] = []
    for (let i = group.head; i < group.queue.length; i++) {
      const state = group.queue[i] as EntityState
      const at = group.seqs[i] as number
      if (state.group === group && state.seq === at) {
        queue.push(state)
        seqs.push(at)
      }
    }
    group.queue = queue
    group.seqs = seqs
    group.head = 0
  }

  /** records that `state` (holding `cells` cells before this write) was just written */
  function written (state: EntityState, retentionMs: number, cellsBefore: number): void {
    const group = groupOf(retentionMs)
    if (state.group !== group) {
      if (state.group === undefined) entityCount++
      else state.group.entities.delete(state.id)
      group.entities.set(state.id, state)
      state.group = group
    }
    cellCount += state.cells - cellsBefore
    state.seq = ++seq
    group.queue.push(state)
    group.seqs.push(state.seq)
    if (group.queue.length - group.head > 2 * group.entities.size + QUEUE_SLACK) compact(group)
  }

  /** the least recently written entity of a group (stale queue entries are dropped on the way) */
  function front (group: Group): EntityState | undefined {
    const { queue, seqs } = group
    while (group.head < queue.length) {
      const state = queue[group.head] as EntityState
      if (state.group === group && state.seq === seqs[group.head]) return state
      group.head++
    }
    return undefined
  }

  function forget (state: EntityState): void {
    const group = state.group
    if (group === undefined) return
    group.entities.delete(state.id)
    state.group = undefined
    entityCount--
    cellCount -= state.cells
  }

  function sweep (): void {
    for (const group of groupList) {
      for (let state = front(group); state !== undefined && state.expiresAt <= clock; state = front(group)) forget(state)
    }
    while (entityCount > maxEntities || cellCount > maxCells) {
      let oldest: EntityState | undefined
      for (const group of groupList) {
        const first = front(group)
        if (first !== undefined && (oldest === undefined || first.seq < oldest.seq)) oldest = first
      }
      if (oldest === undefined) break
      forget(oldest)
      forgotten++
    }
    let empty = false
    for (const group of groupList) {
      if (group.entities.size === 0) empty = true
      else if (group.head > QUEUE_SLACK && group.head * 2 > group.queue.length) compact(group)
    }
    if (empty) {
      for (const group of groupList) if (group.entities.size === 0) groups.delete(group.retentionMs)
      groupList = groupList.filter((group) => group.entities.size > 0)
    }
  }

  // ring names, one string each however many entities hold them
  const names = new Map<string, string>()
  function nameOf (id: string): string {
    let name = names.get(id)
    if (name === undefined) {
      if (names.size >= 4096) names.clear()
      names.set(id, id)
      name = id
    }
    return name
  }

  function recordOne (op: EntityOp, out: VelocitySignals): void {
    const t = op.atMs
    // an entity idle for a whole retention is kept until the sweep forgets it, as Redis keeps its
    // keys until their TTL: its rings and values have left this charge's windows, but a charge
    // stamped a little earlier (a clock behind) still finds them
    let state = find(op.entity, op.retentionMs)
    const cellsBefore = state?.cells ?? 0
    const values: number[] = []
    if (state === undefined) {
      // arrays of their exact size: an empty array grown by push would reserve room for 17
      const rings = op.rings.map((r) => newRing(bucketOf(t, r.widthMs), r.add))
      for (const r of op.rings) values.push(r.add)
      state = { id: op.entity, group: undefined, ids: op.rings.map((r) => nameOf(r.id)), rings, distinct: undefined, expiresAt: -Infinity, seq: 0, cells: 0 }
    } else {
      for (const r of op.rings) {
        const b = bucketOf(t, r.widthMs)
        const ring = state.rings[state.ids.indexOf(r.id)]
        if (ring === undefined) {
          state.ids.push(nameOf(r.id))
          state.rings.push(newRing(b, r.add))
          values.push(r.add)
        } else {
          values.push(recordRing(ring, b, r.add))
        }
      }
    }
    let cells = 0
    for (const ring of state.rings) cells += 1 + ringBuckets(ring)
    for (const d of op.distinct) {
      let series = state.distinct?.find((s) => s.of === d.of)
      if (d.value !== '') {
        if (series === undefined) {
          series = new LastSeen(d.of)
          if (state.distinct === undefined) state.distinct = [series]
          else state.distinct.push(series)
        }
        const added = series.set(d.value, t)
        series.removeUpTo(t - op.retentionMs)
        if (added) series.keepNewest(cap)
      }
      for (const w of d.windows) values.push(series === undefined ? 0 : series.countAfter(t - w.windowMs))
    }
    if (state.distinct !== undefined) for (const series of state.distinct) cells += 1 + series.size
    state.cells = cells
    state.expiresAt = Math.max(state.expiresAt, t + op.retentionMs)
    written(state, op.retentionMs, cellsBefore)
    assignResults(op, values, out)
  }

  function recordSync ({ atMs, plan, identify }: VelocityRecordInput): VelocitySignals {
    const ops = entityOps(plan, atMs, identify)
    const out: VelocitySignals = {}
    if (ops.length === 0) return out
    if (atMs > clock) clock = atMs
    for (const op of ops) recordOne(op, out)
    sweep()
    return out
  }

  return {
    backend: 'memory',
    recordSync,
    async record (input) {
      return recordSync(input)
    },
    stats () {
      return { entities: entityCount, cells: cellCount, forgotten }
    }
  }
}
