import { GenerationCache } from '../util/generation-cache.js'
import { createKeyedDigest128 } from './keyed-digest.js'

/** identifier -> its keyed digest */
export type IdentifierDigest = (value: string) => string

/** 16 bytes (128 bits) of HMAC-SHA256, base64url: 22 characters, never `{` or `}` */
export const IDENTIFIER_DIGEST_LENGTH = 22
/** the domain of identifier digests (the name recorded decisions have always used) */
const DOMAIN = 'snapshot'
const GENERATION = 25_000
/** longer values are hashed each time: free text, not identifiers that recur */
const CACHE_MAX_VALUE = 512

// one cache per hash key, shared by every digest function of that key in the process; a handful of keys at most
const caches = new Map<string, GenerationCache<string, string>>()
const MAX_KEYS = 8

/**
 * The keyed digest that replaces an identifier (an IP, an email, a card fingerprint, a customer id,
 * a name or street line) wherever riskgate keeps it: velocity keys and values, recorded decisions.
 * HMAC-SHA256 with RISKGATE_HASH_KEY, 128 bits, base64url. One identifier has one digest, so it is
 * hashed once per request (and, through a bounded cache, once per process while it recurs), and a
 * backtest that hashes list entries with the same key matches what was recorded.
 */
export function createIdentifierDigest (hashKey: string): IdentifierDigest {
  const digest = createKeyedDigest128(hashKey)
  let cache = caches.get(hashKey)
  if (cache === undefined) {
    if (caches.size >= MAX_KEYS) caches.clear()
    cache = new GenerationCache(GENERATION)
    caches.set(hashKey, cache)
  }
  const shared = cache
  return (value) => {
    if (value.length > CACHE_MAX_VALUE) return digest(DOMAIN, value)
    let hit = shared.get(value)
    if (hit === undefined) {
      hit = digest(DOMAIN, value)
      shared.set(value, hit)
    }
    return hit
  }
}
