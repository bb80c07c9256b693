import type { RedisClient } from '../redis/client.js'
import type { DecisionStore } from './decision-store.js'
import { createMemoryDecisionStore } from './memory-decision-store.js'
import { createRedisDecisionStore } from './redis-decision-store.js'

export interface DecisionStoreOptions {
  /** null: the in-process store (one instance only) */
  redis: RedisClient | null
  /** RISKGATE_HASH_KEY (the Redis store keys records by a keyed hash of the charge id) */
  hashKey: string
  keyPrefix?: string
  defaultTtlSeconds?: number
  /** in-process store only */
  maxEntries?: number
}

/** The Redis store when a client is given, else the in-process one. */
export function createDecisionStore (options: DecisionStoreOptions): DecisionStore {
  const { redis, hashKey, keyPrefix, defaultTtlSeconds, maxEntries } = options
  if (redis !== null) {
    return createRedisDecisionStore({
      redis,
      hashKey,
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(defaultTtlSeconds !== undefined ? { defaultTtlSeconds } : {})
    })
  }
  return createMemoryDecisionStore({
    ...(defaultTtlSeconds !== undefined ? { defaultTtlSeconds } : {}),
    ...(maxEntries !== undefined ? { maxEntries } : {})
  })
}
