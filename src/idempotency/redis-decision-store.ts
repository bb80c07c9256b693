import type { RedisClient } from '../redis/client.js'
import { createKeyedHasher, HashDomain } from '../velocity/keyed-hash.js'
import { validateKeyPrefix } from '../velocity/redis-keys.js'
import { DEFAULT_DECISION_TTL_SECONDS, serializeRecord, validateDecisionArgs } from './decision-store.js'
import type { DecisionStore } from './decision-store.js'

export const DEFAULT_DECISION_KEY_PREFIX = 'rg:v1:dec:'

export interface RedisDecisionStoreOptions {
  redis: RedisClient
  /** RISKGATE_HASH_KEY */
  hashKey: string
  keyPrefix?: string
  defaultTtlSeconds?: number
}

/** SET NX EX to store, GET to read: one round trip, two when another request stored first. */
export function createRedisDecisionStore (options: RedisDecisionStoreOptions): DecisionStore {
  const { redis } = options
  const prefix = options.keyPrefix ?? DEFAULT_DECISION_KEY_PREFIX
  validateKeyPrefix(prefix)
  const defaultTtl = options.defaultTtlSeconds ?? DEFAULT_DECISION_TTL_SECONDS
  validateDecisionArgs('-', defaultTtl)
  const hasher = createKeyedHasher(options.hashKey)
  const keyOf = (chargeId: string): string => `${prefix}${hasher.hash(HashDomain.DECISION, chargeId)}`

  return {
    backend: 'redis',
    async get<R> (chargeId: string): Promise<R | undefined> {
      validateDecisionArgs(chargeId, defaultTtl)
      const json = await redis.get(keyOf(chargeId))
      return json === null ? undefined : JSON.parse(json) as R
    },
    async putIfAbsent<R> (chargeId: string, record: R, ttlSeconds = defaultTtl): Promise<R> {
      validateDecisionArgs(chargeId, ttlSeconds)
      const key = keyOf(chargeId)
      const json = serializeRecord(record)
      // a stored record may expire between the failed SET and the GET: then try again
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await redis.set(key, json, 'EX', ttlSeconds, 'NX') !== null) return record
        const existing = await redis.get(key)
        if (existing !== null) return JSON.parse(existing) as R
      }
      throw new Error('decision store: the stored record kept expiring')
    }
  }
}
