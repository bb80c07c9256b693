import { createIdentifierDigest } from '../hashing/identifier-digest.js'
import type { DigestOf } from './codec.js'

export { HASHED_PATHS } from './codec.js'
export type { HashedPath } from './codec.js'

/** Replaces one identifier by its keyed digest. Deterministic: equal inputs give equal digests. */
export type SnapshotHash = DigestOf

/**
 * The digest of recorded identifiers (HASHED_PATHS of src/decision-log/codec.ts): see
 * src/hashing/identifier-digest.ts. Velocity keys and values use the same digests, so an
 * identifier is hashed once per request. A backtest that hashes list entries with the same key
 * matches what was recorded.
 */
export function createSnapshotHash (hashKey: string): SnapshotHash {
  return createIdentifierDigest(hashKey)
}

/** What a list looks like where it comes from: the loader's sources or a compiled set's sets. */
export type ListsInput =
  | ReadonlyMap<string, ReadonlySet<string>>
  | Readonly<Record<string, { values: readonly string[] }>>

/**
 * Lists ready to be matched against recorded (hashed) features: each list holds its entries in
 * clear AND their keyed hashes, so `email.address in lists.blocked_emails` (hashed on both sides)
 * and `card.bin in lists.risky_bins` (clear on both sides) both replay as they decided live.
 * A digest cannot collide with a clear value a rule compares with in practice (22 base64url
 * characters of HMAC).
 *
 * Given a Map of Sets (CompiledRuleSet.lists) it returns a new Map of Sets; given the loader's
 * `Record<name, { values }>` (RuleSetSource.lists) it returns a copy with `values` extended, so
 * the set can be compiled from it.
 */
export function hashLists (lists: ReadonlyMap<string, ReadonlySet<string>>, hash: SnapshotHash): Map<string, Set<string>>
export function hashLists<T extends { values: readonly string[] }> (lists: Readonly<Record<string, T>>, hash: SnapshotHash): Record<string, T & { values: string[] }>
export function hashLists (lists: ListsInput, hash: SnapshotHash): Map<string, Set<string>> | Record<string, { values: string[] }> {
  const withHashes = (values: Iterable<string>): string[] => {
    const out = new Set<string>()
    for (const value of values) {
      out.add(value)
      out.add(hash(value))
    }
    return [...out]
  }
  if (lists instanceof Map) {
    const out = new Map<string, Set<string>>()
    for (const [name, set] of lists as ReadonlyMap<string, ReadonlySet<string>>) out.set(name, new Set(withHashes(set)))
    return out
  }
  const out: Record<string, { values: string[] }> = {}
  for (const [name, list] of Object.entries(lists as Readonly<Record<string, { values: readonly string[] }>>)) {
    out[name] = { ...list, values: withHashes(list.values) }
  }
  return out
}
