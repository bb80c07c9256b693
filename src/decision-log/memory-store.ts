import { decisionIdOfField } from '../idempotency/decision-key.js'
import type { DecisionKey, DecisionKeys } from '../idempotency/decision-key.js'
import { flatString } from '../util/flat-string.js'
import { contextIdOf, decodeRecord } from './codec.js'
import type { RecordContext } from './codec.js'
import type { DecisionRecord } from './record.js'
import { decodeOutcome, DEFAULT_LOG_TTL_SECONDS, DEFAULT_MEMORY_LOG_MAX, encodeOutcome, inRange } from './store.js'
import type { AppendEntry, AppendResult, DecisionLogStore, LogRange, Lookup, OutcomeResult, Reservation } from './store.js'

export interface MemoryDecisionLogOptions {
  keys: DecisionKeys
  /** records kept; beyond it the oldest are dropped (with their outcomes) */
  maxRecords?: number
  ttlSeconds?: number
  now?: () => number
}

/**
 * A record as kept: what the decision id and context id are is read from the field and the encoded
 * record when needed (a string kept per record costs as much as a short record: see
 * docs/decision-log.md)
 */
interface Entry {
  fingerprint: string
  encoded: string
  atMs: number
  expiresAt: number
  /** rank|outcome JSON (see encodeOutcome) */
  outcome?: string
}

interface Pending {
  fingerprint: string
  nonce: string
  expiresAt: number
  outcome?: string
}

/** The synchronous core of the in-process log: the service's hot path calls it without a promise. */
export interface MemoryDecisionLog extends DecisionLogStore {
  reserveSync: (key: DecisionKey, fingerprint: string, nonce: string, pendingMs: number) => Reservation
  /** records, reservations and contexts held now (tests, metrics) */
  stats: () => { records: number, pending: number, contexts: number }
}

/**
 * The decision log of a single instance without Redis, with the semantics of the Redis one: one
 * map of compact records (src/decision-log/codec.ts) in insertion order, bounded by `maxRecords`
 * and the TTL, plus the reservations of charges being decided. Lost on restart.
 */
export function createMemoryDecisionLog (options: MemoryDecisionLogOptions): MemoryDecisionLog {
  const { keys } = options
  const maxRecords = options.maxRecords ?? DEFAULT_MEMORY_LOG_MAX
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError('maxRecords must be a positive integer')
  const ttlMs = (options.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS) * 1000
  const now = options.now ?? Date.now
  // field -> record, oldest first
  const records = new Map<string, Entry>()
  const pending = new Map<string, Pending>()
  const contexts = new Map<string, { context: RecordContext, records: number }>()
  const aliases = new Map<string, { decisionId: string, expiresAt: number }>()

  function forget (field: string, entry: Entry): void {
    records.delete(field)
    const contextId = contextIdOf(entry.encoded) ?? ''
    const held = contexts.get(contextId)
    if (held !== undefined && --held.records === 0) contexts.delete(contextId)
  }

  function live (field: string, at: number): Entry | undefined {
    const entry = records.get(field)
    if (entry !== undefined && entry.expiresAt <= at) {
      forget(field, entry)
      return undefined
    }
    return entry
  }

  function livePending (field: string, at: number): Pending | undefined {
    const held = pending.get(field)
    if (held !== undefined && held.expiresAt <= at) {
      pending.delete(field)
      return undefined
    }
    return held
  }

  /** the oldest records beyond the bound or the TTL, and a few expired reservations and aliases */
  function sweep (at: number): void {
    for (const [field, entry] of records) {
      if (records.size <= maxRecords && entry.expiresAt > at) break
      forget(field, entry)
    }
    let checked = 0
    for (const [field, held] of pending) {
      if (held.expiresAt > at || ++checked > 8) break
      pending.delete(field)
    }
    checked = 0
    for (const [alias, link] of aliases) {
      if (++checked > 8) break
      if (link.expiresAt <= at || aliases.size > maxRecords) aliases.delete(alias)
    }
  }

  function decode (field: string, entry: Entry): DecisionRecord {
    const record = decodeRecord(entry.encoded, decisionIdOfField(field), contexts.get(contextIdOf(entry.encoded) ?? '')?.context)
    if (entry.outcome !== undefined) record.outcome = decodeOutcome(entry.outcome).outcome
    return record
  }

  function lookupSync (key: DecisionKey, at: number): Lookup {
    const entry = live(key.field, at)
    if (entry !== undefined) return { status: 'recorded', fingerprint: entry.fingerprint, record: decode(key.field, entry) }
    const held = livePending(key.field, at)
    if (held !== undefined) return { status: 'pending', fingerprint: held.fingerprint }
    return { status: 'none' }
  }

  function reserveSync (key: DecisionKey, fingerprint: string, nonce: string, pendingMs: number): Reservation {
    const at = now()
    const found = lookupSync(key, at)
    if (found.status !== 'none') return found
    pending.set(key.field, { fingerprint, nonce, expiresAt: at + pendingMs })
    return { status: 'reserved' }
  }

  function appendOne (entry: AppendEntry, at: number): AppendResult {
    const field = entry.key.field
    if (live(field, at) !== undefined) return 'duplicate'
    const held = livePending(field, at)
    if (held !== undefined && held.nonce !== entry.nonce) return 'superseded'
    pending.delete(field)
    const context = contexts.get(entry.context.id)
    if (context === undefined) contexts.set(entry.context.id, { context: entry.context, records: 1 })
    else context.records++
    const stored: Entry = {
      fingerprint: entry.fingerprint,
      encoded: flatString(entry.encoded),
      atMs: entry.atMs,
      // a record's age is its decision's (the Redis log trims by the same time)
      expiresAt: Math.min(entry.atMs, at) + ttlMs
    }
    if (held?.outcome !== undefined) stored.outcome = held.outcome
    records.set(field, stored)
    return 'written'
  }

  return {
    backend: 'memory',
    keys,
    reserveSync,
    async reserve (key, fingerprint, nonce, pendingMs) {
      return reserveSync(key, fingerprint, nonce, pendingMs)
    },
    async append (entries) {
      const at = now()
      const results = entries.map((entry) => appendOne(entry, at))
      sweep(at)
      return results
    },
    async lookup (key) {
      return lookupSync(key, now())
    },
    async get (decisionId) {
      const key = keys.ofDecisionId(decisionId)
      if (key === undefined) return undefined
      const entry = live(key.field, now())
      return entry === undefined ? undefined : decode(key.field, entry)
    },
    async setOutcome (decisionId, write): Promise<OutcomeResult> {
      const key = keys.ofDecisionId(decisionId)
      if (key === undefined) return { status: 'unknown' }
      const at = now()
      const target: { outcome?: string } | undefined = live(key.field, at) ?? livePending(key.field, at)
      if (target === undefined) return { status: 'unknown' }
      if (!write.force && target.outcome !== undefined) {
        const current = decodeOutcome(target.outcome)
        if (current.rank > write.rank) return { status: 'kept', outcome: current.outcome }
      }
      target.outcome = encodeOutcome(write)
      return { status: 'stored', outcome: { ...write.outcome } }
    },
    async findByChargeId (chargeId) {
      const at = now()
      const key = keys.ofCharge(chargeId)
      if (live(key.field, at) !== undefined || livePending(key.field, at) !== undefined) return key.decisionId
      const link = aliases.get(chargeId)
      return link !== undefined && link.expiresAt > at ? link.decisionId : undefined
    },
    async linkCharge (chargeId, decisionId) {
      aliases.delete(chargeId)
      aliases.set(chargeId, { decisionId, expiresAt: now() + ttlMs })
    },
    async * scan (range: LogRange = {}) {
      // the records at the start of the scan; records appended during it are not part of it
      const at = now()
      for (const [field, entry] of [...records]) {
        if (live(field, at) === undefined || !inRange(entry.atMs, range)) continue
        yield decode(field, entry)
      }
    },
    stats: () => ({ records: records.size, pending: pending.size, contexts: contexts.size })
  }
}
