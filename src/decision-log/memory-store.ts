import type { DecisionOutcome, DecisionRecord } from './record.js'
import { DEFAULT_LOG_MAX_PER_PARTITION, DEFAULT_LOG_TTL_SECONDS, inRange } from './store.js'
import type { DecisionLogStore, LogRange, OutcomeResult, OutcomeWrite } from './store.js'

export interface MemoryDecisionLogOptions {
  /** records kept; beyond it the oldest are dropped (with their outcomes) */
  maxRecords?: number
  ttlSeconds?: number
  now?: () => number
}

interface Entry {
  /** the record without outcome, as JSON (a copy: callers never share objects with the store) */
  json: string
  outcome?: DecisionOutcome
  rank: number
  expiresAt: number
}

/**
 * The decision log of a single instance without Redis: one bounded map in insertion (time)
 * order. Lost on restart; the by-id index is bounded with the records.
 */
export function createMemoryDecisionLog (options: MemoryDecisionLogOptions = {}): DecisionLogStore {
  const maxRecords = options.maxRecords ?? DEFAULT_LOG_MAX_PER_PARTITION
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RangeError('maxRecords must be a positive integer')
  const ttlMs = (options.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS) * 1000
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  const charges = new Map<string, { decisionId: string, expiresAt: number }>()
  const maxCharges = maxRecords * 2

  const live = (decisionId: string): Entry | undefined => {
    const entry = entries.get(decisionId)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now()) {
      entries.delete(decisionId)
      return undefined
    }
    return entry
  }
  const withOutcome = (entry: Entry): DecisionRecord => {
    const record = JSON.parse(entry.json) as DecisionRecord
    if (entry.outcome !== undefined) record.outcome = { ...entry.outcome }
    return record
  }
  const link = (chargeId: string, decisionId: string): void => {
    charges.delete(chargeId)
    charges.set(chargeId, { decisionId, expiresAt: now() + ttlMs })
    while (charges.size > maxCharges) {
      const oldest = charges.keys().next()
      if (oldest.done === true) break
      charges.delete(oldest.value)
    }
  }

  return {
    backend: 'memory',
    async append (records) {
      for (const record of records) {
        const { outcome: _ignored, ...rest } = record
        entries.delete(record.decision_id)
        entries.set(record.decision_id, { json: JSON.stringify(rest), rank: 0, expiresAt: now() + ttlMs })
        link(record.charge_id, record.decision_id)
      }
      while (entries.size > maxRecords) {
        const oldest = entries.keys().next()
        if (oldest.done === true) break
        entries.delete(oldest.value)
      }
    },
    async get (decisionId) {
      const entry = live(decisionId)
      return entry === undefined ? undefined : withOutcome(entry)
    },
    async has (decisionId) {
      return live(decisionId) !== undefined
    },
    async setOutcome (decisionId, write: OutcomeWrite): Promise<OutcomeResult> {
      const entry = live(decisionId)
      if (entry === undefined) return { status: 'unknown' }
      if (!write.force && entry.outcome !== undefined && entry.rank > write.rank) return { status: 'kept', outcome: { ...entry.outcome } }
      entry.outcome = { ...write.outcome }
      entry.rank = write.rank
      return { status: 'stored', outcome: { ...write.outcome } }
    },
    async findByChargeId (chargeId) {
      const found = charges.get(chargeId)
      if (found === undefined || found.expiresAt <= now()) return undefined
      return found.decisionId
    },
    async linkCharge (chargeId, decisionId) {
      link(chargeId, decisionId)
    },
    async * scan (range: LogRange = {}) {
      // the ids at the start of the scan; records appended during it are not part of it
      for (const id of [...entries.keys()]) {
        const entry = live(id)
        if (entry === undefined) continue
        const record = withOutcome(entry)
        if (inRange(record.at, range)) yield record
      }
    }
  }
}
