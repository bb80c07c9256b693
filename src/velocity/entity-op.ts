import type { FeatureValue } from '../engine/feature-path.js'
import { sha256Base64url128 } from '../hashing/sha256.js'
import type { VelocitySignals } from '../schemas/signals.js'
import type { PlannedEntity, PlannedWindow, VelocityPlan } from './plan.js'
import { MAX_SUM, RING_BUCKETS } from './store.js'
import type { Identify } from './store.js'

/**
 * One `count` window, or one window of one `sum` series, of an entity: a ring of RING_BUCKETS
 * buckets (src/velocity/ring.ts). Counters of the same entity, kind, value path and window share
 * one ring.
 */
export interface RingOp {
  /**
   * The ring's name inside its entity, the prefix of its Redis hash fields: `c<windowMs>` for a
   * count, `s<windowMs>:<path>` for a sum (e.g. `s86400000:amount`).
   */
  id: string
  windowMs: number
  /** bucket width: windowMs / RING_BUCKETS, a whole number of milliseconds */
  widthMs: number
  /** what this charge adds: 1 for a count; for a sum its integer value, 0 when unknown (read only) */
  add: number
  /** the counters that read this ring */
  names: string[]
}

/** One `distinct` series of an entity: its values by the time they were last seen. */
export interface DistinctOp {
  /** the value path, part of the series' key (a path such as `card.fingerprint`, not a value) */
  of: string
  /** identify(of, value) of this charge's value; '' when unknown (the series is read, nothing added) */
  value: string
  windows: PlannedWindow[]
}

/** One entity's update, its identifiers replaced by the caller's digests: what the stores work with. */
export interface EntityOp {
  /**
   * The entity's key: `<path>:<identify(path, value)>` for one `by` path, else 22 characters of
   * base64url (SHA-256 of the `path=digest` parts). Never `{` or `}`: the Redis hash tag.
   */
  entity: string
  atMs: number
  /** the entity's longest window: every key's time to live, and how long distinct values are kept */
  retentionMs: number
  /** count rings first, then sum rings: the order of the values returned */
  rings: RingOp[]
  distinct: DistinctOp[]
}

const MINUTE_MS = 60_000

export function validateAtMs (atMs: number): void {
  if (!Number.isSafeInteger(atMs)) throw new TypeError('atMs must be an integer number of epoch milliseconds')
}

function checkWindow (windowMs: number): void {
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0 || windowMs % MINUTE_MS !== 0) {
    throw new RangeError(`velocity windows are whole minutes; got ${windowMs} ms`)
  }
}

function digestOf (identify: Identify, path: string, value: FeatureValue): string {
  const digest = identify(path, value)
  if (typeof digest !== 'string' || digest.length === 0) throw new TypeError(`identify(${path}) must return a non-empty string`)
  return digest
}

/** The entity's key from its `by` paths (sorted by the planner) and their values. */
export function entityKey (by: readonly string[], values: readonly FeatureValue[], identify: Identify): string {
  if (by.length === 1) {
    const path = by[0] as string
    const key = `${path}:${digestOf(identify, path, values[0] as FeatureValue)}`
    if (/[{}]/.test(key)) throw new TypeError('an entity key must not contain `{` or `}`')
    return key
  }
  // the parts are keyed digests already: a plain hash only makes the key short
  const parts = by.map((path, i) => `${path}=${digestOf(identify, path, values[i] as FeatureValue)}`)
  return sha256Base64url128(JSON.stringify(parts))
}

/** A sum's contribution: an integer (truncated towards zero) within +-MAX_SUM; 0 when unknown. */
function sumAdd (value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return 0
  return Math.min(Math.max(Math.trunc(value), -MAX_SUM), MAX_SUM) + 0
}

function ring (id: string, w: PlannedWindow, add: number): RingOp {
  checkWindow(w.windowMs)
  return { id, windowMs: w.windowMs, widthMs: w.windowMs / RING_BUCKETS, add, names: w.names }
}

/**
 * The ring of a count window: the same for every charge (it adds 1), so made once per window of
 * the planner (whose windows are the rule set's, shared by every plan) rather than per charge.
 */
const countRings = new WeakMap<PlannedWindow, RingOp>()
/**
 * the name of a sum window's ring, made once per window likewise (a planned window belongs to one
 * series, so its `of` is the same at every call)
 */
const sumRingIds = new WeakMap<PlannedWindow, string>()

function countRing (w: PlannedWindow): RingOp {
  let op = countRings.get(w)
  if (op === undefined) {
    op = ring(`c${w.windowMs}`, w, 1)
    countRings.set(w, op)
  }
  return op
}

function sumRing (of: string, w: PlannedWindow, add: number): RingOp {
  let id = sumRingIds.get(w)
  if (id === undefined) {
    id = `s${w.windowMs}:${of}`
    sumRingIds.set(w, id)
  }
  return ring(id, w, add)
}

function entityOp (entity: PlannedEntity, atMs: number, identify: Identify): EntityOp {
  const rings: RingOp[] = []
  for (const w of entity.counts) rings.push(countRing(w))
  for (const s of entity.sums) {
    const add = sumAdd(s.value)
    for (const w of s.windows) rings.push(sumRing(s.of, w, add))
  }
  const distinct: DistinctOp[] = entity.distinct.map((d) => {
    for (const w of d.windows) checkWindow(w.windowMs)
    return { of: d.of, value: d.value === undefined ? '' : digestOf(identify, d.of, d.value), windows: d.windows }
  })
  checkWindow(entity.retentionMs)
  return { entity: entityKey(entity.by, entity.values, identify), atMs, retentionMs: entity.retentionMs, rings, distinct }
}

/** The plan's entities with their identifiers replaced by digests: what the stores work with. */
export function entityOps (plan: VelocityPlan, atMs: number, identify: Identify): EntityOp[] {
  validateAtMs(atMs)
  if (plan.entities.length === 0) return []
  if (typeof identify !== 'function') throw new TypeError('identify must be a function')
  return plan.entities.map((e) => entityOp(e, atMs, identify))
}

/**
 * Writes one entity's results into the signals. `values` (numbers, or decimal strings) are in the
 * op's order from `from`: the rings, then each distinct series' windows. Returns where the next
 * entity's values start (a reply of several entities holds them one after another).
 */
export function assignResults (op: EntityOp, values: ReadonlyArray<number | string>, out: VelocitySignals, from = 0): number {
  let i = from
  for (const r of op.rings) assign(values, i++, r.names, out)
  for (const d of op.distinct) for (const w of d.windows) assign(values, i++, w.names, out)
  return i
}

/**
 * Every entity's results, from one list holding them entity after entity from `from` to its end
 * (a reply of one call for several entities).
 */
export function assignAllResults (ops: readonly EntityOp[], values: ReadonlyArray<number | string>, out: VelocitySignals, from = 0): void {
  let at = from
  for (const op of ops) at = assignResults(op, values, out, at)
  if (at !== values.length) throw new Error('velocity store returned more values than planned')
}

function assign (values: ReadonlyArray<number | string>, i: number, names: readonly string[], out: VelocitySignals): void {
  const raw = values[i]
  if (raw === undefined) throw new Error('velocity store returned fewer values than planned')
  const value = Math.trunc(Number(raw)) + 0
  for (const name of names) out[name] = value
}
