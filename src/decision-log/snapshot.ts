import type { Features } from '../engine/features.js'
import type { ScoreResponse } from '../schemas/decision.js'
import { createKeyedHasher, HashDomain } from '../velocity/keyed-hash.js'
import type { DecisionRecord } from './record.js'

/** Replaces one identifier by its keyed hash. Deterministic: equal inputs give equal digests. */
export type SnapshotHash = (value: string) => string

/**
 * The feature paths whose values are identifiers of a person or a card: a recorded decision keeps
 * their keyed hash, never the value. Everything else (countries, ASN, flags, email domain, BIN,
 * last 4, card brand/funding/country, postal codes, cities, amounts, velocity values, description,
 * items, metadata) stays in clear because rules read it.
 *
 * Equality survives hashing (the same function hashes every path and every list entry), so
 * `email.address in lists.blocked_emails`, `billing.name == shipping.name` and
 * `customer.id in lists.trusted_customers` replay exactly; string functions on these paths
 * (`email.address.startsWith(...)`, `ip.address.matches(...)`) do not.
 */
export const HASHED_PATHS = [
  'ip.address',
  'email.address',
  'card.fingerprint',
  'customer.id',
  'billing.name',
  'billing.line1',
  'billing.line2',
  'shipping.name',
  'shipping.line1',
  'shipping.line2'
] as const
export type HashedPath = typeof HASHED_PATHS[number]

/**
 * The hash of recorded identifiers: HMAC-SHA256 with RISKGATE_HASH_KEY (src/velocity/keyed-hash.ts)
 * in its own domain, 22 base64url characters. A backtest that hashes list entries with the same
 * key matches what was recorded.
 */
export function createSnapshotHash (hashKey: string): SnapshotHash {
  const hasher = createKeyedHasher(hashKey)
  return (value) => hasher.hash(HashDomain.SNAPSHOT, value)
}

type Node = Record<string, unknown>

/**
 * A copy of the features with every HASHED_PATHS value replaced by `hash(value)`. Absent values
 * stay absent (unknown is not hashed into something known); the input is not modified.
 */
export function snapshotFeatures (features: Features, hash: SnapshotHash): Features {
  const copy = clonePlain(features) as Node
  for (const path of HASHED_PATHS) {
    const dot = path.indexOf('.')
    const parent = copy[path.slice(0, dot)]
    if (parent === null || typeof parent !== 'object') continue
    const field = path.slice(dot + 1)
    const value = (parent as Node)[field]
    if (typeof value === 'string') (parent as Node)[field] = hash(value)
  }
  return copy as unknown as Features
}

/**
 * A deep copy of plain data (objects, arrays, primitives), which is all that features hold:
 * several times cheaper than structuredClone on the request path.
 */
function clonePlain (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clonePlain)
  if (value === null || typeof value !== 'object') return value
  const out: Node = {}
  for (const key of Object.keys(value)) out[key] = clonePlain((value as Node)[key])
  return out
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

/**
 * The decision log's record of one live decision: the response's outcome plus the snapshot of
 * the features it was decided on (identifiers hashed), so a backtest replays it through the same
 * engine code. `at` defaults to now.
 */
export function toDecisionRecord (response: ScoreResponse, features: Features, hash: SnapshotHash, at: Date = new Date()): DecisionRecord {
  return {
    v: 1,
    decision_id: response.decision_id,
    charge_id: response.charge_id,
    at: at.toISOString(),
    amount: features.amount,
    currency: features.currency,
    features: snapshotFeatures(features, hash),
    ruleset: { version: response.ruleset.version, hash: response.ruleset.hash },
    data: { ...response.data },
    decision: response.decision,
    score: response.score,
    fired: response.reasons.map((r) => r.rule),
    shadow: {
      decision: response.shadow.decision,
      score: response.shadow.score,
      fired: response.shadow.reasons.map((r) => r.rule)
    },
    skipped: response.skipped.map((s) => s.rule),
    degraded: [...response.degraded]
  }
}
