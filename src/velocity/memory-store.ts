import type { VelocitySignals } from '../schemas/signals.js'
import { assignResults, entityOps, SeriesKind } from './entity-op.js'
import type { EntityOp, SeriesOp } from './entity-op.js'
import { createKeyedHasher } from './keyed-hash.js'
import { DEFAULT_MAX_EVENTS_PER_SERIES } from './store.js'
import type { VelocityRecordInput, VelocityStore } from './store.js'
import { Timeline } from './timeline.js'

export interface MemoryVelocityStoreOptions {
  /** RISKGATE_HASH_KEY: identifiers are kept as keyed hashes here too */
  hashKey: string
  maxEventsPerSeries?: number
  /**
   * The most events (charges, distinct values, summed numbers) kept over all entities. Beyond it
   * the least recently written entities are forgotten whole.
   */
  maxTotalEvents?: number
}

/** about 100 bytes each: some 50 MB at most */
export const DEFAULT_MAX_TOTAL_EVENTS = 500_000

interface DistinctSeries {
  kind: typeof SeriesKind.DISTINCT
  /** value hash -> time last seen */
  lastSeen: Map<string, number>
}

interface SumSeries {
  kind: typeof SeriesKind.SUM
  amounts: Timeline<number>
}

interface EntityState {
  /** charge hash per event: counts, and the idempotency marker */
  events: Timeline<string>
  charges: Map<string, number>
  series: Map<string, DistinctSeries | SumSeries>
  /** like a Redis TTL, on the store's clock: the latest atMs it has seen */
  expiresAt: number
  size: number
}

export interface MemoryVelocityStore extends VelocityStore {
  /** entities and events held, for tests and metrics */
  stats (): { entities: number, events: number }
}

/**
 * The in-process velocity store, for a single instance without Redis: the same semantics as the
 * Redis store (VelocityStore), computed synchronously, so every record is atomic.
 *
 * Time is the charges' own: events older than an entity's retention are dropped when the entity
 * is written, and an entity expires one retention after its last write, measured on the latest
 * `atMs` recorded. Memory is bounded by maxEventsPerSeries and maxTotalEvents.
 */
export function createMemoryVelocityStore (options: MemoryVelocityStoreOptions): MemoryVelocityStore {
  const cap = options.maxEventsPerSeries ?? DEFAULT_MAX_EVENTS_PER_SERIES
  if (!Number.isSafeInteger(cap) || cap < 1) throw new RangeError('maxEventsPerSeries must be a positive integer')
  const budget = options.maxTotalEvents ?? DEFAULT_MAX_TOTAL_EVENTS
  if (!Number.isSafeInteger(budget) || budget < cap) throw new RangeError('maxTotalEvents must be an integer >= maxEventsPerSeries')
  const hasher = createKeyedHasher(options.hashKey)
  // least recently written first
  const entities = new Map<string, EntityState>()
  let total = 0
  let clock = -Infinity

  function forget (id: string, state: EntityState): void {
    entities.delete(id)
    total -= state.size
  }

  function entityFor (id: string): EntityState | undefined {
    const state = entities.get(id)
    if (state !== undefined && state.expiresAt <= clock) {
      forget(id, state)
      return undefined
    }
    return state
  }

  function sweep (): void {
    let checked = 0
    for (const [id, state] of entities) {
      if (++checked > 8) break
      if (state.expiresAt <= clock) forget(id, state)
    }
    for (const [id, state] of entities) {
      if (total <= budget) break
      forget(id, state)
    }
  }

  function write (state: EntityState, op: EntityOp): void {
    const old = op.atMs - op.retentionMs
    state.events.insert(op.atMs, op.charge)
    state.charges.set(op.charge, op.atMs)
    for (const dropped of state.events.trim(old, cap)) state.charges.delete(dropped)
    for (const s of op.series) {
      if (s.value === '') continue
      const key = `${s.kind}:${s.of}`
      let series = state.series.get(key)
      if (s.kind === SeriesKind.DISTINCT) {
        if (series === undefined) {
          series = { kind: SeriesKind.DISTINCT, lastSeen: new Map() }
          state.series.set(key, series)
        }
        if (series.kind === SeriesKind.DISTINCT) addDistinct(series.lastSeen, s.value, op.atMs, old)
      } else {
        if (series === undefined) {
          series = { kind: SeriesKind.SUM, amounts: new Timeline() }
          state.series.set(key, series)
        }
        if (series.kind === SeriesKind.SUM) {
          series.amounts.insert(op.atMs, Number(s.value))
          series.amounts.trim(old, cap)
        }
      }
    }
    let size = state.events.length
    for (const series of state.series.values()) {
      size += series.kind === SeriesKind.DISTINCT ? series.lastSeen.size : series.amounts.length
    }
    total += size - state.size
    state.size = size
    state.expiresAt = Math.max(state.expiresAt, op.atMs + op.retentionMs)
  }

  function addDistinct (lastSeen: Map<string, number>, value: string, at: number, old: number): void {
    const seen = lastSeen.get(value)
    if (seen === undefined || seen < at) lastSeen.set(value, at)
    for (const [v, time] of lastSeen) if (time <= old) lastSeen.delete(v)
    while (lastSeen.size > cap) {
      let oldest: string | undefined
      let oldestTime = Infinity
      for (const [v, time] of lastSeen) {
        if (time < oldestTime) {
          oldest = v
          oldestTime = time
        }
      }
      lastSeen.delete(oldest as string)
    }
  }

  function read (state: EntityState | undefined, op: EntityOp, t: number): number[] {
    const out: number[] = []
    for (const w of op.counts) out.push(state === undefined ? 0 : state.events.countAfter(t - w.windowMs))
    for (const s of op.series) out.push(...readSeries(state?.series.get(`${s.kind}:${s.of}`), s, t))
    return out
  }

  function readSeries (series: DistinctSeries | SumSeries | undefined, s: SeriesOp, t: number): number[] {
    return s.windows.map((w) => {
      const after = t - w.windowMs
      if (series === undefined) return 0
      let value = 0
      if (series.kind === SeriesKind.DISTINCT) {
        for (const time of series.lastSeen.values()) if (time > after) value++
      } else {
        const { times, values } = series.amounts
        for (let i = series.amounts.firstAfter(after); i < times.length; i++) value += values[i] as number
        value = Math.min(Math.max(value, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER)
      }
      return value
    })
  }

  function recordOne (op: EntityOp, out: VelocitySignals): void {
    let state = entityFor(op.entity)
    const seen = state?.charges.get(op.charge)
    if (seen !== undefined) {
      assignResults(op, read(state, op, seen), out)
      return
    }
    if (state === undefined) {
      state = { events: new Timeline(), charges: new Map(), series: new Map(), expiresAt: -Infinity, size: 0 }
    }
    entities.delete(op.entity)
    entities.set(op.entity, state)
    write(state, op)
    assignResults(op, read(state, op, op.atMs), out)
  }

  return {
    backend: 'memory',
    async record ({ chargeId, atMs, plan }: VelocityRecordInput): Promise<VelocitySignals> {
      const ops = entityOps(plan, chargeId, atMs, hasher)
      const out: VelocitySignals = {}
      if (ops.length === 0) return out
      clock = Math.max(clock, atMs)
      for (const op of ops) recordOne(op, out)
      sweep()
      return out
    },
    stats () {
      return { entities: entities.size, events: total }
    }
  }
}
