import type { RedisClient } from '../redis/client.js'
import { createMemoryVelocityStore } from './memory-store.js'
import { createRedisVelocityStore } from './redis-store.js'
import type { VelocityStore } from './store.js'

export interface VelocityStoreOptions {
  /** null: the in-process store (one instance only) */
  redis: RedisClient | null
  keyPrefix?: string
  maxDistinctPerSeries?: number
  /** in-process store only (see MemoryVelocityStoreOptions) */
  maxEntities?: number
  maxCells?: number
}

/** The Redis store when a client is given, else the in-process one. */
export function createVelocityStore (options: VelocityStoreOptions): VelocityStore {
  const { redis, keyPrefix, maxDistinctPerSeries, maxEntities, maxCells } = options
  if (redis !== null) {
    return createRedisVelocityStore({
      redis,
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(maxDistinctPerSeries !== undefined ? { maxDistinctPerSeries } : {})
    })
  }
  return createMemoryVelocityStore({
    ...(maxDistinctPerSeries !== undefined ? { maxDistinctPerSeries } : {}),
    ...(maxEntities !== undefined ? { maxEntities } : {}),
    ...(maxCells !== undefined ? { maxCells } : {})
  })
}
