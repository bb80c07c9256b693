import type { RedisClient } from '../redis/client.js'
import { createMemoryVelocityStore } from './memory-store.js'
import { createRedisVelocityStore } from './redis-store.js'
import type { VelocityStore } from './store.js'

export interface VelocityStoreOptions {
  /** null: the in-process store (one instance only) */
  redis: RedisClient | null
  /** RISKGATE_HASH_KEY */
  hashKey: string
  keyPrefix?: string
  maxEventsPerSeries?: number
  /** in-process store only */
  maxTotalEvents?: number
}

/** The Redis store when a client is given, else the in-process one. */
export function createVelocityStore (options: VelocityStoreOptions): VelocityStore {
  const { redis, hashKey, keyPrefix, maxEventsPerSeries, maxTotalEvents } = options
  if (redis !== null) {
    return createRedisVelocityStore({
      redis,
      hashKey,
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(maxEventsPerSeries !== undefined ? { maxEventsPerSeries } : {})
    })
  }
  return createMemoryVelocityStore({
    hashKey,
    ...(maxEventsPerSeries !== undefined ? { maxEventsPerSeries } : {}),
    ...(maxTotalEvents !== undefined ? { maxTotalEvents } : {})
  })
}
