import { decisionIdOfField } from '../idempotency/decision-key.js'
import type { DecisionKey, DecisionKeys } from '../idempotency/decision-key.js'
import { flatString } from '../util/flat-string.js'
import { contextIdOf, decodeRecord } from './codec.js'
import type { RecordContext } from './codec.js'
import { checkLimit, decodeCursor, encodeCursor, reviewScope, searchScope } from './cursor.js'
import type { Position } from './cursor.js'
import { MemoryIndexes } from './memory-indexes.js'
import type { Indexed } from './memory-indexes.js'
import { buildOverview, countField, hourOf, reportedMs } from './overview.js'
import { MAX_OUTCOME_HISTORY } from './record.js'
import type { DecisionOutcome, DecisionRecord } from './record.js'
import { indexMatches, searchStart } from './search-filter.js'
import { closesReview, DEFAULT_LOG_TTL_SECONDS, DEFAULT_MEMORY_LOG_MAX, inRange, SEARCH_EXAMINE_MAX } from './store.js'
import type {
  AppendEntry, AppendResult, CloseReviewResult, DecisionLogStore, IndexEntry, LogRange, Lookup, OutcomeResult, OutcomeWrite, Page, Reservation
} from './store.js'

export interface MemoryDecisionLogOptions {
  keys: DecisionKeys
  /** records kept; beyond it the oldest are dropped (with their outcomes) */
  maxRecords?: number
  ttlSeconds?: number
  now?: () => number
  /** candidates a search or review page examines at most (SEARCH_EXAMINE_MAX; tests set fewer) */
  examineMax?: number
}

interface Latest {
  rank: number
  outcome: DecisionOutcome
}

/** what a record and a reservation both hold of their outcomes */
interface Outcomes {
  /** the latest by precedence */
  outcome?: Latest
  /** every outcome reported, oldest first (at most MAX_OUTCOME_HISTORY) */
  history?: DecisionOutcome[]
}

/**
 * A record as kept: what the decision id and context id are is read from the field and the encoded
 * record when needed (a string kept per record costs as much as a short record: see
 * docs/decision-log.md)
 */
interface Entry extends Outcomes {
  fingerprint: string
  encoded: string
  atMs: number
  expiresAt: number
  /** what the record is found by (the scorer's own object, kept as given) */
  index: IndexEntry
  /** how its review was closed (kept apart from the history, which may drop it) */
  close?: { ms: number, outcome: DecisionOutcome }
}

interface Pending extends Outcomes {
  fingerprint: string
  nonce: string
  expiresAt: number
}

/** The synchronous core of the in-process log: the service's hot path calls it without a promise. */
export interface MemoryDecisionLog extends DecisionLogStore {
  reserveSync: (key: DecisionKey, fingerprint: string, nonce: string, pendingMs: number) => Reservation
  /** records, reservations, contexts and overview hours held now (tests, metrics) */
  stats: () => { records: number, pending: number, contexts: number, hours: number }
}

/**
 * The decision log of a single instance without Redis, with the semantics of the Redis one: one
 * map of compact records (src/decision-log/codec.ts) in insertion order, bounded by `maxRecords`
 * and the TTL, with the indexes searches read (memory-indexes.ts), the overview's counts per hour,
 * and the reservations of charges being decided. Lost on restart.
 */
export function createMemoryDecisionLog (options: MemoryDecisionLogOptions): MemoryDecisionLog {
  const { keys } = options
  const maxRecords = options.maxRecords ?? DEFAULT_MEMORY_LOG_MAX
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError('maxRecords must be a positive integer')
  const ttlMs = (options.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS) * 1000
  const now = options.now ?? Date.now
  const examineMax = options.examineMax ?? SEARCH_EXAMINE_MAX
  if (!Number.isSafeInteger(examineMax) || examineMax < 1) throw new RangeError('examineMax must be a positive integer')
  // field -> record, oldest first
  const records = new Map<string, Entry>()
  const pending = new Map<string, Pending>()
  const contexts = new Map<string, { context: RecordContext, records: number }>()
  const aliases = new Map<string, { decisionId: string, expiresAt: number }>()
  const indexes = new MemoryIndexes((field) => records.get(field)?.atMs ?? 0)
  // hour -> counts (overview.ts), kept for the log's TTL
  const hours = new Map<number, Map<string, number>>()

  function indexed (entry: Entry): Indexed {
    return { atMs: entry.atMs, index: entry.index, label: entry.outcome?.outcome.label, closeMs: entry.close?.ms }
  }

  function forget (field: string, entry: Entry): void {
    indexes.remove(field, indexed(entry))
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

  function count (ms: number, field: string, at: number): void {
    const hour = hourOf(ms)
    let counts = hours.get(hour)
    if (counts === undefined) {
      // an hour older than the TTL is no longer counted nor kept
      const oldest = hourOf(at - ttlMs)
      if (hour < oldest) return
      for (const h of hours.keys()) if (h < oldest) hours.delete(h)
      counts = new Map()
      hours.set(hour, counts)
    }
    counts.set(field, (counts.get(field) ?? 0) + 1)
  }

  function decode (field: string, entry: Entry): DecisionRecord {
    const record = decodeRecord(entry.encoded, decisionIdOfField(field), contexts.get(contextIdOf(entry.encoded) ?? '')?.context, entry.index.identifiers)
    if (entry.outcome !== undefined) record.outcome = { ...entry.outcome.outcome }
    if (entry.history !== undefined) record.outcomes = entry.history.map((o) => ({ ...o }))
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
      expiresAt: Math.min(entry.atMs, at) + ttlMs,
      index: entry.index
    }
    if (held?.outcome !== undefined) stored.outcome = held.outcome
    if (held?.history !== undefined) {
      stored.history = held.history
      // an outcome reported while the charge was being decided may have closed its review
      const closing = entry.index.decision === 'review' ? held.history.find((o) => closesReview(o.label)) : undefined
      if (closing !== undefined) stored.close = { ms: reportedMs(closing.at, at), outcome: closing }
    }
    records.set(field, stored)
    indexes.add(field, indexed(stored))
    count(entry.atMs, entry.index.decision, at)
    if (entry.index.degraded) count(entry.atMs, countField.degraded, at)
    for (const rule of entry.index.rules) count(entry.atMs, countField.rule(rule), at)
    return 'written'
  }

  /** an outcome written to a record or a reservation: kept in its history, and the latest unless a stronger one is */
  function writeOutcome (field: string, target: Entry | Pending, write: OutcomeWrite, at: number, isRecord: boolean): OutcomeResult {
    const reported = { ...write.outcome }
    const history = target.history ?? []
    history.push(reported)
    if (history.length > MAX_OUTCOME_HISTORY) history.splice(0, history.length - MAX_OUTCOME_HISTORY)
    target.history = history
    const reportedAt = reportedMs(reported.at, at)
    count(reportedAt, countField.outcome(reported.label), at)
    let result: OutcomeResult
    const current = target.outcome
    if (!write.force && current !== undefined && current.rank > write.rank) {
      result = { status: 'kept', outcome: { ...current.outcome } }
    } else {
      target.outcome = { rank: write.rank, outcome: reported }
      result = { status: 'stored', outcome: { ...reported } }
    }
    if (isRecord) {
      const entry = target as Entry
      indexes.relabel(field, entry.atMs, current?.outcome.label, entry.outcome?.outcome.label ?? reported.label)
      // any review_* outcome closes an open review, even one a stronger outcome keeps from being the latest
      if (entry.index.decision === 'review' && entry.close === undefined && closesReview(reported.label)) {
        entry.close = { ms: reportedAt, outcome: reported }
        indexes.close(field, entry.atMs, reportedAt)
      }
    }
    return result
  }

  /** a page of candidates in order: at most `limit` records and `examineMax` candidates examined */
  function page (candidates: Iterable<Position>, limit: number, scope: string, holds: (entry: Entry, position: Position) => boolean, stopAt?: (position: Position) => boolean): Page {
    const at = now()
    const found: DecisionRecord[] = []
    let examined = 0
    let last: Position | undefined
    let more = false
    for (const position of candidates) {
      if (stopAt?.(position) === true) break
      if (found.length === limit || examined === examineMax) {
        more = true
        break
      }
      examined++
      last = position
      const entry = records.get(position.field)
      // an expired record is left for the next sweep: a search changes nothing
      if (entry === undefined || entry.expiresAt <= at || !holds(entry, position)) continue
      found.push(decode(position.field, entry))
    }
    return more && last !== undefined ? { records: found, next: encodeCursor(last, scope) } : { records: found }
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
      const entry = live(key.field, at)
      if (entry !== undefined) return writeOutcome(key.field, entry, write, at, true)
      const held = livePending(key.field, at)
      if (held !== undefined) return writeOutcome(key.field, held, write, at, false)
      return { status: 'unknown' }
    },
    async closeReview (decisionId, write): Promise<CloseReviewResult> {
      const key = keys.ofDecisionId(decisionId)
      if (key === undefined) return { status: 'unknown' }
      const at = now()
      // a charge still being decided is not known to be a review yet
      const entry = live(key.field, at)
      if (entry === undefined) return { status: 'unknown' }
      if (entry.index.decision !== 'review') return { status: 'not_review' }
      if (entry.close !== undefined) return { status: 'closed', outcome: { ...entry.close.outcome } }
      return writeOutcome(key.field, entry, write, at, true)
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
    async search (query) {
      checkLimit(query.limit)
      const scope = searchScope(query)
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope)
      const from = query.range?.from?.getTime()
      return page(indexes.candidates(query, searchStart(query, cursor)), query.limit, scope,
        (entry) => indexMatches(query, entry.atMs, entry.index, entry.outcome?.outcome.label),
        from === undefined ? undefined : (position) => position.ms < from)
    },
    async reviews (query) {
      checkLimit(query.limit)
      const scope = reviewScope(query)
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, scope)
      if (query.status === 'open') {
        return page(indexes.open.ascending(cursor), query.limit, scope, (entry) => entry.close === undefined)
      }
      return page(indexes.closed.descending(cursor), query.limit, scope, (entry, position) => entry.close?.ms === position.ms)
    },
    async overview (query) {
      return buildOverview(query, (hour) => hours.get(hour))
    },
    stats: () => ({ records: records.size, pending: pending.size, contexts: contexts.size, hours: hours.size })
  }
}
