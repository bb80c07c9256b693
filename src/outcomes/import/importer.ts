import type { DecisionLogStore } from '../../decision-log/store.js'
import { createKeyedDigest128 } from '../../hashing/keyed-digest.js'
import type { Outbox } from '../../outbox/outbox.js'
import type { EventDedupe } from '../../webhooks/event-dedupe.js'
import { defineGatewayEvents } from '../../webhooks/gateway-events.js'
import type { OmiseProcessorStats as GatewayEventStats, ProcessorLogger } from '../../webhooks/omise/processor.js'
import { reportOutcome } from '../report-outcome.js'
import type { OutcomeReport } from '../report-outcome.js'
import { normalizeRow } from './columns.js'
import { FORMATS } from './formats.js'
import type { ImportedOutcome, ImportFormat } from './imported-outcome.js'
import { ImportRowError, RowRefused } from './row-error.js'

/** What became of an imported row. */
export const ImportRowStatus = {
  /** the outcome is now the decision's latest */
  APPLIED: 'applied',
  /** recorded in the decision's history, but a stronger outcome stays its latest (a dispute over a late legit) */
  KEPT: 'kept',
  /** this event (dispute, refund, generic row) was imported before: nothing was done */
  DUPLICATE: 'duplicate',
  /** no recorded decision yet: applied as soon as it lands, within the outbox's hold limit */
  HELD: 'held',
  REFUSED: 'refused'
} as const
export type ImportRowStatus = typeof ImportRowStatus[keyof typeof ImportRowStatus]

export interface RowResult {
  /** the row's place in the request, from 0 */
  index: number
  status: ImportRowStatus
  /** refused: why */
  code?: ImportRowError
  message?: string
  /** the event the row is (applied once): the gateway's id, the row's event_id, or `row_<keyed hash of the row>` */
  event_id?: string
  /** applied or kept: the decision */
  decision_id?: string
}

/** a row waiting in the outbox for its decision */
export interface HeldRow {
  /** the claim (`<format>:<event id>`): released when the row is dropped */
  id: string
  format: ImportFormat
  outcome: ImportedOutcome
  report: OutcomeReport
}

export interface OutcomeImporterOptions {
  store: Pick<DecisionLogStore, 'setOutcome' | 'findByChargeId' | 'linkCharge' | 'keys' | 'lookup'>
  /** claims of the events imported (src/webhooks/event-dedupe.ts, source `import`) */
  dedupe: EventDedupe
  outbox: Outbox
  log: ProcessorLogger
  /** RISKGATE_HASH_KEY: a generic row without event_id is its keyed hash */
  hashKey: string
  /** imported rows waiting in the outbox at most (default 10,000: a tenth of the outbox) */
  maxHeld?: number
  now?: () => number
}

export interface OutcomeImporter {
  /** every row's result, in order; throws when the event store cannot claim (nothing more is done) */
  importRows: (format: ImportFormat, rows: readonly unknown[], actor: string) => Promise<RowResult[]>
  /** what the outbox did with held rows and what the rows applied did: riskgate_webhook_events_total{gateway="import"} */
  stats: () => GatewayEventStats
  /** rows answered, by format and status: riskgate_outcome_import_rows_total */
  rowCounts: () => Array<{ format: ImportFormat, status: ImportRowStatus, n: number }>
}

export const IMPORT_EVENT_KIND = 'outcome-import'
export const DEFAULT_MAX_HELD = 10_000
/** a row holds at most this many columns, each value at most this long */
export const MAX_ROW_COLUMNS = 64
export const MAX_VALUE_LENGTH = 1_000

function checkRow (raw: unknown): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RowRefused(ImportRowError.INVALID_ROW, 'a row must be an object of column names to values')
  }
  const entries = Object.entries(raw)
  if (entries.length > MAX_ROW_COLUMNS) throw new RowRefused(ImportRowError.INVALID_ROW, `a row has at most ${MAX_ROW_COLUMNS} columns`)
  for (const [, value] of entries) {
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new RowRefused(ImportRowError.INVALID_ROW, 'a value must be text, a number, a boolean or null')
    }
    if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH) {
      throw new RowRefused(ImportRowError.INVALID_ROW, `a value has at most ${MAX_VALUE_LENGTH} characters`)
    }
  }
  return raw as Record<string, unknown>
}

/**
 * Outcomes imported in bulk (`POST /v1/outcomes:batch`, `riskgate outcomes import`), applied as
 * the gateway webhooks apply their events: each event (a dispute, a refund, a generic row)
 * claimed once with the webhooks' dedupe, its decision found by riskgate's decision id, the
 * charge_id, then the gateway's charge ids (linking the first to the decision when it is found
 * another way, as the Stripe and Omise processors do), its outcome written with source `import`
 * under the decision log's precedence (a provisional label never replaces a chargeback), and a row
 * whose decision is not recorded yet held in the outbox through the webhooks' kind
 * (src/webhooks/gateway-events.ts) until it lands. A store fault on a claimed row holds it too
 * (the outbox retries).
 */
export function createOutcomeImporter (options: OutcomeImporterOptions): OutcomeImporter {
  const { store, dedupe, log, outbox } = options
  const now = options.now ?? Date.now
  const maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD
  const digest = createKeyedDigest128(options.hashKey)
  const stats: GatewayEventStats = { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }
  const counts = new Map<string, { format: ImportFormat, status: ImportRowStatus, n: number }>()
  let warnedStore = false

  function count (format: ImportFormat, status: ImportRowStatus): void {
    const key = `${format}|${status}`
    const found = counts.get(key)
    if (found !== undefined) found.n++
    else counts.set(key, { format, status, n: 1 })
  }

  /** the decision, and whether the first gateway charge id is what found it (nothing to link then) */
  async function findDecision (outcome: ImportedOutcome): Promise<{ decisionId: string, byGatewayCharge: boolean } | undefined> {
    if (outcome.decisionId !== undefined) {
      const key = store.keys.ofDecisionId(outcome.decisionId)
      if (key !== undefined && (await store.lookup(key)).status !== 'none') return { decisionId: key.decisionId, byGatewayCharge: false }
    }
    if (outcome.chargeId !== undefined) {
      const decisionId = await store.findByChargeId(outcome.chargeId)
      if (decisionId !== undefined) return { decisionId, byGatewayCharge: false }
    }
    for (const [n, id] of outcome.gatewayChargeIds.entries()) {
      const decisionId = await store.findByChargeId(id)
      if (decisionId !== undefined) return { decisionId, byGatewayCharge: n === 0 }
    }
    return undefined
  }

  async function apply (row: HeldRow): Promise<{ status: 'applied' | 'kept', decisionId: string } | { status: 'pending' }> {
    const found = await findDecision(row.outcome)
    if (found === undefined) return { status: 'pending' }
    const gatewayCharge = row.outcome.gatewayChargeIds[0]
    if (gatewayCharge !== undefined && !found.byGatewayCharge) await store.linkCharge(gatewayCharge, found.decisionId)
    const result = await reportOutcome(store, found.decisionId, row.report)
    if (result.status === 'unknown') return { status: 'pending' }
    stats[result.status === 'stored' ? 'applied' : 'kept']++
    return { status: result.status === 'stored' ? 'applied' : 'kept', decisionId: found.decisionId }
  }

  const submit = defineGatewayEvents<HeldRow>(outbox, {
    kind: IMPORT_EVENT_KIND,
    async process (row) {
      const result = await apply(row)
      if (result.status !== 'pending') log.info({ event_id: row.report.event_id, format: row.format, decision_id: result.decisionId, label: row.report.label }, 'outcome import: held row applied')
      return result.status
    },
    dedupe,
    stats,
    log,
    fields: (row) => ({ event_id: row.report.event_id, format: row.format }),
    unmatchedMessage: 'outcome import: no recorded decision for this row within the hold limit; importing it again applies it',
    failedMessage: 'outcome import: held row not applied; importing it again applies it',
    releaseUnmatched: true
  })

  const heldNow = (): number => outbox.stats()[IMPORT_EVENT_KIND]?.queued ?? 0

  async function importRow (format: ImportFormat, index: number, raw: unknown, actor: string, nowMs: number): Promise<RowResult> {
    let outcome: ImportedOutcome
    try {
      outcome = FORMATS[format].read(normalizeRow(checkRow(raw)), nowMs)
    } catch (err) {
      if (!(err instanceof RowRefused)) throw err
      return { index, status: ImportRowStatus.REFUSED, code: err.code, message: err.message }
    }
    const eventId = 'id' in outcome.event ? outcome.event.id : `row_${digest('import-row', outcome.event.content)}`
    const claim = `${format}:${eventId}`
    if (!await dedupe.claim(claim)) return { index, status: ImportRowStatus.DUPLICATE, event_id: eventId }
    const report: OutcomeReport = { label: outcome.label, source: 'import', actor, event_id: eventId, at: outcome.at ?? new Date(nowMs).toISOString() }
    if (outcome.note !== undefined) report.note = outcome.note
    const row: HeldRow = { id: claim, format, outcome, report }
    try {
      const applied = await apply(row)
      warnedStore = false
      if (applied.status !== 'pending') return { index, status: applied.status, event_id: eventId, decision_id: applied.decisionId }
    } catch (err) {
      // the store failed: the outbox writes it once the store is back
      if (!warnedStore) log.warn({ err: { type: (err as Error).name, message: (err as Error).message } }, 'outcome import: the store is unavailable; rows are held and retried')
      warnedStore = true
    }
    if (heldNow() >= maxHeld || !submit(row)) {
      await dedupe.release(claim).catch(() => {})
      return { index, status: ImportRowStatus.REFUSED, code: ImportRowError.HOLD_FULL, message: 'no recorded decision yet, and too many imported rows already wait for theirs: import it again later', event_id: eventId }
    }
    return { index, status: ImportRowStatus.HELD, event_id: eventId }
  }

  return {
    async importRows (format, rows, actor) {
      const nowMs = now()
      const results: RowResult[] = []
      try {
        for (const [index, raw] of rows.entries()) results.push(await importRow(format, index, raw, actor, nowMs))
      } finally {
        for (const r of results) count(format, r.status)
      }
      return results
    },
    stats: () => ({ ...stats }),
    rowCounts: () => [...counts.values()].map((c) => ({ ...c }))
  }
}
