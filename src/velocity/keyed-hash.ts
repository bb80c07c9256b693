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
 * Recently computed digests, without a cliff: when the current generation is full it becomes the
 * previous one (still read, and promoted from on a hit) and a new one starts, so an identifier in
 * use survives and memory stays under two generations.
 */
export class DigestCache {
  private current = new Map<string, string>()
  private previous = new Map<string, string>()
  private readonly generation: number
  constructor (generation: number) {
    this.generation = generation
  }

  get (id: string): string | undefined {
    const hit = this.current.get(id)
    if (hit !== undefined) return hit
    const old = this.previous.get(id)
    if (old !== undefined) this.set(id, old)
    return old
  }

  get size (): number {
    return this.current.size + this.previous.size
  }

  set (id: string, digest: string): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current
      this.current = new Map()
    }
    this.current.set(id, digest)
  }
}

interface SharedCaches {
  /** identifiers that recur across charges: IPs, emails, cards, BINs, customers */
  identifiers: DigestCache
  /** charge and decision ids: hashed again within moments (velocity, stored decision, decision log) */
  recent: DigestCache
}

// the caches of each hash key, shared by every hasher of that key in the process (the velocity
// store, the decision store and the decision log hash the same charge id); a handful of keys at most
const cachesByKey = new Map<string, SharedCaches>()
const MAX_KEYS = 8

function cachesOf (hashKey: string): SharedCaches {
  let caches = cachesByKey.get(hashKey)
  if (caches === undefined) {
    if (cachesByKey.size >= MAX_KEYS) cachesByKey.clear()
    caches = { identifiers: new DigestCache(IDENTIFIER_GENERATION), recent: new DigestCache(RECENT_GENERATION) }
    cachesByKey.set(hashKey, caches)
  }
  return caches
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
  // computing one costs microseconds: digests are kept, in process only, bounded (see DigestCache)
  const caches = cachesOf(hashKey)
  return {
    hash (domain, value) {
      if (value.length > CACHE_MAX_VALUE) return hmac(domain, value)
      const cache = RECENT_DOMAINS.has(domain) ? caches.recent : caches.identifiers
      const id = `${domain}\0${value}`
      let digest = cache.get(id)
      if (digest === undefined) {
        digest = hmac(domain, value)
        cache.set(id, digest)
      }
      return digest
    }
  }
}

const RECENT_DOMAINS: ReadonlySet<string> = new Set([HashDomain.CHARGE, HashDomain.DECISION])
const IDENTIFIER_GENERATION = 50_000
const RECENT_GENERATION = 5_000
const CACHE_MAX_VALUE = 512
