import type { RedisClient } from '../redis/client.js'
import { createKeyedDigest128 } from '../hashing/keyed-digest.js'
import { validateKeyPrefix } from '../velocity/redis-keys.js'

/**
 * Each webhook event is applied once: the first delivery claims its id, a redelivery (Omise
 * retries, a replay) finds it claimed. A claim is released when processing fails, so a later
 * redelivery can apply it.
 */
export interface EventDedupe {
  /** true when this call claimed the event (first delivery), false when it was already claimed */
  claim: (eventId: string) => Promise<boolean>
  release: (eventId: string) => Promise<void>
}

/** 7 days: far beyond any provider's redelivery schedule */
export const DEFAULT_EVENT_TTL_SECONDS = 7 * 24 * 60 * 60
export const DEFAULT_EVENT_KEY_PREFIX = 'rg:v1:whk:'

export interface EventDedupeOptions {
  /** null: in process (one instance only) */
  redis: RedisClient | null
  hashKey: string
  /** the provider, part of the key: `omise` */
  source: string
  keyPrefix?: string
  ttlSeconds?: number
  /** in process: the most event ids kept */
  maxEntries?: number
  now?: () => number
}

/** SET NX EX on a keyed hash of the event id (Redis), or a bounded map with expiry (in process). */
export function createEventDedupe (options: EventDedupeOptions): EventDedupe {
  const ttl = options.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS
  const { redis } = options
  if (redis !== null) {
    const prefix = options.keyPrefix ?? DEFAULT_EVENT_KEY_PREFIX
    validateKeyPrefix(prefix)
    const digest = createKeyedDigest128(options.hashKey)
    const keyOf = (eventId: string): string => `${prefix}${options.source}:${digest('decision', `${options.source}:${eventId}`)}`
    return {
      async claim (eventId) {
        return await redis.set(keyOf(eventId), '1', 'EX', ttl, 'NX') !== null
      },
      async release (eventId) {
        await redis.del(keyOf(eventId))
      }
    }
  }
  const now = options.now ?? Date.now
  const maxEntries = options.maxEntries ?? 100_000
  const seen = new Map<string, number>()
  return {
    async claim (eventId) {
      const at = now()
      const expiresAt = seen.get(eventId)
      if (expiresAt !== undefined && expiresAt > at) return false
      seen.delete(eventId)
      seen.set(eventId, at + ttl * 1000)
      while (seen.size > maxEntries) {
        const oldest = seen.keys().next()
        if (oldest.done === true) break
        seen.delete(oldest.value)
      }
      return true
    },
    async release (eventId) {
      seen.delete(eventId)
    }
  }
}
