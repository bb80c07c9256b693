import type { EntityOp, SeriesOp } from './entity-op.js'

/** Prefix of every velocity key; bump the version when the layout changes. */
export const DEFAULT_VELOCITY_KEY_PREFIX = 'rg:v1:vel:'

export function validateKeyPrefix (prefix: string): void {
  if (/[{}\s]/.test(prefix)) throw new Error('a Redis key prefix must not contain braces or spaces')
}

/**
 * Keys of one entity: `<prefix>{<entity hash>}:c` for its events and `...:d:<path>` /
 * `...:s:<path>` for its distinct and sum series. The `{...}` hash tag puts them in one Cluster
 * slot; the only readable part is the value path of the series (e.g. `card.fingerprint`).
 */
export function entityKeys (prefix: string, op: EntityOp): string[] {
  const base = `${prefix}{${op.entity}}:`
  return [`${base}c`, ...op.series.map((s: SeriesOp) => `${base}${s.kind}:${s.of}`)]
}
