import type { Features } from '../engine/features.js'
import { AssignBy, RolloutMode } from './rollout.js'
import type { Rollout } from './rollout.js'

/** base64url character -> its 6 bits (-1: not base64url) */
const SEXTETS = new Int8Array(128).fill(-1)
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => { SEXTETS[c.charCodeAt(0)] = i })

function sextet (digest: string, i: number): number {
  const code = digest.charCodeAt(i)
  const value = code < 128 ? SEXTETS[code] as number : -1
  if (value < 0) throw new TypeError('an identifier digest is base64url')
  return value
}

/** buckets an identifier falls in: its share of a rollout is counted in whole percents */
export const BUCKETS = 100

/**
 * The bucket (0-99) of an identifier, from its keyed digest (src/hashing/identifier-digest.ts:
 * HMAC-SHA256 with RISKGATE_HASH_KEY, base64url): the first 24 bits of the digest, modulo 100.
 * The digest is the one the request computed for velocity and the record; nothing is hashed again.
 * Its bits are uniform, so each bucket holds 1/100 of the identifiers (2^24 mod 100 = 16: a bias
 * under one in a million).
 */
export function bucketOf (digest: string): number {
  if (digest.length < 4) throw new TypeError('an identifier digest has at least 4 characters')
  return ((sextet(digest, 0) << 18) | (sextet(digest, 1) << 12) | (sextet(digest, 2) << 6) | sextet(digest, 3)) % BUCKETS
}

function known (value: string | undefined): value is string {
  return value !== undefined && value !== ''
}

/**
 * The identifier a charge is assigned by: `by` (customer.id or card.fingerprint), else the other
 * one; undefined when the charge has neither (it is then decided by the live set).
 */
export function assignmentValue (features: Features, by: AssignBy): string | undefined {
  const customer = features.customer.id
  const card = features.card?.fingerprint
  if (by === AssignBy.CUSTOMER) return known(customer) ? customer : known(card) ? card : undefined
  return known(card) ? card : known(customer) ? customer : undefined
}

/**
 * Whether the challenger decides this charge: an `enforce` rollout, and the bucket of the charge's
 * identifier below its percent. Deterministic: the same customer (or card) always gets the same
 * rule set while the rollout stays, and raising the percent only adds identifiers to the share.
 * `digestOf` is the request's memo of keyed digests (each identifier hashed once per request).
 */
export function challengerDecides (rollout: Rollout, features: Features, digestOf: (value: string) => string): boolean {
  if (rollout.mode !== RolloutMode.ENFORCE) return false
  const value = assignmentValue(features, rollout.by)
  return value !== undefined && bucketOf(digestOf(value)) < rollout.percent
}
