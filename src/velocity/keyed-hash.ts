import { createHmac, createSecretKey } from 'node:crypto'

/**
 * What a keyed hash stands for. The domain is part of the hashed input, so the same string
 * hashed for two purposes (an email as an entity, an email as a distinct value) gives two
 * unrelated digests.
 */
export const HashDomain = {
  ENTITY: 'entity',
  VALUE: 'value',
  CHARGE: 'charge',
  DECISION: 'decision',
  /** identifiers inside recorded decisions (src/decision-log/snapshot.ts) and their list entries at replay */
  SNAPSHOT: 'snapshot'
} as const
export type HashDomainName = typeof HashDomain[keyof typeof HashDomain]

/** 16 bytes (128 bits) of HMAC-SHA256, base64url: 22 characters, never `{` or `}` */
export const KEYED_HASH_LENGTH = 22
const DIGEST_BYTES = 16

export interface KeyedHasher {
  hash (domain: HashDomainName, value: string): string
}

/**
 * Keyed hashes (HMAC-SHA256 with RISKGATE_HASH_KEY, truncated to 128 bits, base64url) replace
 * every identifier (IP, email, card fingerprint, BIN, customer id, charge id) before it goes into
 * a Redis key or value. Without the key, a digest cannot be tested against guessed identifiers.
 */
export function createKeyedHasher (hashKey: string): KeyedHasher {
  if (hashKey.length === 0) throw new Error('the hash key must not be empty')
  const key = createSecretKey(Buffer.from(hashKey, 'utf8'))
  const hmac = (domain: HashDomainName, value: string): string => createHmac('sha256', key)
    .update(domain).update('\0').update(value)
    .digest().subarray(0, DIGEST_BYTES).toString('base64url')
  // identifiers recur (a busy IP, email or card; a card hashed for two counters of one charge):
  // their digests are kept, in process only, up to CACHE_ENTRIES, then the cache starts over
  const cache = new Map<string, string>()
  return {
    hash (domain, value) {
      if (!CACHED_DOMAINS.has(domain) || value.length > CACHE_MAX_VALUE) return hmac(domain, value)
      const id = `${domain}\0${value}`
      let digest = cache.get(id)
      if (digest === undefined) {
        digest = hmac(domain, value)
        if (cache.size >= CACHE_ENTRIES) cache.clear()
        cache.set(id, digest)
      }
      return digest
    }
  }
}

/** charge and decision ids are unique: caching them would only churn the cache */
const CACHED_DOMAINS: ReadonlySet<string> = new Set([HashDomain.ENTITY, HashDomain.VALUE, HashDomain.SNAPSHOT])
const CACHE_ENTRIES = 10_000
const CACHE_MAX_VALUE = 512
