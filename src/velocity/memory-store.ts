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

export interface MemoryVelocityStore extends VelocityStore {
  /** record, computed synchronously (the same code serves live charges and backtests) */
  recordSync (input: VelocityRecordInput): VelocitySignals
  /** entities and cells held, for tests and metrics */
  stats (): { entities: number, cells: number }
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
  const groups = new Map<number, Map<string, EntityState>>()
  let entityCount = 0
  let cellCount = 0
  let seq = 0
  let clock = -Infinity

  function take (id: string, retentionMs: number): EntityState | undefined {
    let group = groups.get(retentionMs)
    let state = group?.get(id)
    if (state === undefined) {
      // written under another rule set, with another retention
      for (const [retention, other] of groups) {
        if (retention === retentionMs) continue
        state = other.get(id)
        if (state !== undefined) {
          group = other
          break
        }
      }
    }
    if (state === undefined || group === undefined) return undefined
    group.delete(id)
    entityCount--
    cellCount -= state.cells
    return state
  }

  function put (id: string, retentionMs: number, state: EntityState): void {
    let group = groups.get(retentionMs)
    if (group === undefined) {
      group = new Map()
      groups.set(retentionMs, group)
    }
    group.set(id, state)
    entityCount++
    cellCount += state.cells
  }

  function forgetFirst (group: Map<string, EntityState>, retentionMs: number): void {
    const first = group.entries().next()
    if (first.done !== true) {
      const [id, state] = first.value
      group.delete(id)
      entityCount--
      cellCount -= state.cells
    }
    if (group.size === 0) groups.delete(retentionMs)
  }

  function sweep (): void {
    for (const [retention, group] of groups) {
      for (const state of group.values()) {
        if (state.expiresAt > clock) break
        forgetFirst(group, retention)
      }
    }
    while (entityCount > maxEntities || cellCount > maxCells) {
      let oldest: [number, Map<string, EntityState>] | undefined
      let oldestSeq = Infinity
      for (const [retention, group] of groups) {
        const first = group.values().next().value
        if (first !== undefined && first.seq < oldestSeq) {
          oldestSeq = first.seq
          oldest = [retention, group]
        }
      }
      if (oldest === undefined) break
      forgetFirst(oldest[1], oldest[0])
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
    let state = take(op.entity, op.retentionMs)
    const values: number[] = []
    if (state === undefined) {
      // arrays of their exact size: an empty array grown by push would reserve room for 17
      const rings = op.rings.map((r) => newRing(bucketOf(t, r.widthMs), r.add))
      for (const r of op.rings) values.push(r.add)
      state = { ids: op.rings.map((r) => nameOf(r.id)), rings, distinct: undefined, expiresAt: -Infinity, seq: 0, cells: 0 }
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
    state.seq = ++seq
    put(op.entity, op.retentionMs, state)
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
      return { entities: entityCount, cells: cellCount }
    }
  }
}
