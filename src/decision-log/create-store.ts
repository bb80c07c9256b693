import type { RedisClient } from '../redis/client.js'
import { createMemoryDecisionLog } from './memory-store.js'
import { createRedisDecisionLog } from './redis-store.js'
import type { DecisionLogStore } from './store.js'

export interface DecisionLogStoreOptions {
  /** null: the in-process log (one instance only, lost on restart) */
  redis: RedisClient | null
  hashKey: string
  keyPrefix?: string
  maxPerPartition?: number
  partitions?: number
  ttlSeconds?: number
}

/**
 * The Redis log when a client is given, else the in-process one. In process there is one
 * partition: it keeps `maxPerPartition` records.
 */
export function createDecisionLogStore (options: DecisionLogStoreOptions): DecisionLogStore {
  const { redis, hashKey, keyPrefix, maxPerPartition, partitions, ttlSeconds } = options
  if (redis !== null) {
    return createRedisDecisionLog({
      redis,
      hashKey,
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(maxPerPartition !== undefined ? { maxPerPartition } : {}),
      ...(partitions !== undefined ? { partitions } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {})
    })
  }
  return createMemoryDecisionLog({
    ...(maxPerPartition !== undefined ? { maxRecords: maxPerPartition } : {}),
    ...(ttlSeconds !== undefined ? { ttlSeconds } : {})
  })
}
