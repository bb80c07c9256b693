import { DEFAULT_DECISION_TTL_SECONDS, serializeRecord, validateDecisionArgs } from './decision-store.js'
import type { DecisionStore } from './decision-store.js'

export interface MemoryDecisionStoreOptions {
  defaultTtlSeconds?: number
  /** the most records kept; beyond it the oldest stored are dropped */
  maxEntries?: number
  /** the clock, for tests */
  now?: () => number
}

/** about 3 KB each (the JSON of a score response): 20,000 keep the in-process store near 60 MB */
export const DEFAULT_MEMORY_DECISION_ENTRIES = 20_000

interface Entry {
  json: string
  expiresAt: number
}

/**
 * In-process DecisionStore for a single instance: same semantics as the Redis one (JSON copies,
 * TTL), bounded to `maxEntries` records. Charge ids are kept as given: they never leave the process.
 */
export function createMemoryDecisionStore (options: MemoryDecisionStoreOptions = {}): DecisionStore {
  const defaultTtl = options.defaultTtlSeconds ?? DEFAULT_DECISION_TTL_SECONDS
  validateDecisionArgs('-', defaultTtl)
  const maxEntries = options.maxEntries ?? DEFAULT_MEMORY_DECISION_ENTRIES
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
  const now = options.now ?? Date.now
  // insertion order is expiry order when every record has the same TTL; a sweep of the head
  // on each write removes expired records without a timer
  const entries = new Map<string, Entry>()

  function live (chargeId: string, at: number): Entry | undefined {
    const entry = entries.get(chargeId)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= at) {
      entries.delete(chargeId)
      return undefined
    }
    return entry
  }

  function sweep (at: number): void {
    let checked = 0
    for (const [id, entry] of entries) {
      if (entry.expiresAt > at || ++checked > 16) break
      entries.delete(id)
    }
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next()
      if (oldest.done === true) break
      entries.delete(oldest.value)
    }
  }

  return {
    backend: 'memory',
    async get<R> (chargeId: string): Promise<R | undefined> {
      validateDecisionArgs(chargeId, defaultTtl)
      const entry = live(chargeId, now())
      return entry === undefined ? undefined : JSON.parse(entry.json) as R
    },
    async putIfAbsent<R> (chargeId: string, record: R, ttlSeconds = defaultTtl): Promise<R> {
      validateDecisionArgs(chargeId, ttlSeconds)
      const at = now()
      const existing = live(chargeId, at)
      if (existing !== undefined) return JSON.parse(existing.json) as R
      const json = serializeRecord(record)
      entries.set(chargeId, { json, expiresAt: at + ttlSeconds * 1000 })
      sweep(at)
      return record
    }
  }
}
