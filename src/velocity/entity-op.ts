import { HashDomain } from './keyed-hash.js'
import type { KeyedHasher } from './keyed-hash.js'
import type { PlannedEntity, PlannedWindow, VelocityPlan } from './plan.js'
import type { VelocitySignals } from '../schemas/signals.js'

export const SeriesKind = {
  DISTINCT: 'd',
  SUM: 's'
} as const
export type SeriesKindCode = typeof SeriesKind[keyof typeof SeriesKind]

export interface SeriesOp {
  kind: SeriesKindCode
  /** the value path, part of the series' key (a path such as `card.fingerprint`, not a value) */
  of: string
  /**
   * distinct: keyed hash of this charge's value; sum: this charge's number as a decimal string;
   * '' when unknown (the series is read, nothing is added)
   */
  value: string
  windows: PlannedWindow[]
}

/** One entity's update, with every identifier replaced by its keyed hash. */
export interface EntityOp {
  /** keyed hash of the entity's `by` paths and values; the Redis hash tag */
  entity: string
  /** keyed hash of the charge id */
  charge: string
  atMs: number
  retentionMs: number
  counts: PlannedWindow[]
  series: SeriesOp[]
}

export function validateRecordInput (chargeId: string, atMs: number): void {
  if (typeof chargeId !== 'string' || chargeId.length === 0) throw new TypeError('chargeId must be a non-empty string')
  if (!Number.isSafeInteger(atMs)) throw new TypeError('atMs must be an integer number of epoch milliseconds')
}

function entityOp (entity: PlannedEntity, charge: string, atMs: number, hasher: KeyedHasher): EntityOp {
  const series: SeriesOp[] = []
  for (const d of entity.distinct) {
    series.push({
      kind: SeriesKind.DISTINCT,
      of: d.of,
      value: d.value === undefined ? '' : hasher.hash(HashDomain.VALUE, JSON.stringify(d.value)),
      windows: d.windows
    })
  }
  for (const s of entity.sums) {
    series.push({ kind: SeriesKind.SUM, of: s.of, value: s.value === undefined ? '' : String(s.value), windows: s.windows })
  }
  return {
    entity: hasher.hash(HashDomain.ENTITY, JSON.stringify([entity.by, entity.values])),
    charge,
    atMs,
    retentionMs: entity.retentionMs,
    counts: entity.counts,
    series
  }
}

/** Hashes the plan's identifiers: what the stores work with. */
export function entityOps (plan: VelocityPlan, chargeId: string, atMs: number, hasher: KeyedHasher): EntityOp[] {
  validateRecordInput(chargeId, atMs)
  if (plan.entities.length === 0) return []
  const charge = hasher.hash(HashDomain.CHARGE, chargeId)
  return plan.entities.map((e) => entityOp(e, charge, atMs, hasher))
}

/**
 * Writes one entity's results into the signals. `values` (numbers, or decimal strings) are in the
 * op's order: the count windows, then each series' windows.
 */
export function assignResults (op: EntityOp, values: ReadonlyArray<number | string>, out: VelocitySignals): void {
  let i = 0
  const take = (windows: PlannedWindow[]): void => {
    for (const w of windows) {
      const raw = values[i++]
      if (raw === undefined) throw new Error('velocity store returned fewer values than planned')
      const value = Math.trunc(Number(raw))
      for (const name of w.names) out[name] = value
    }
  }
  take(op.counts)
  for (const s of op.series) take(s.windows)
}
