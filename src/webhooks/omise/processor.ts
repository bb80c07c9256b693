import { defineGatewayEvents } from '../gateway-events.js'
import type { DecisionLogStore } from '../../decision-log/store.js'
import { reportOutcome } from '../../outcomes/report-outcome.js'
import type { Outbox } from '../../outbox/outbox.js'
import type { EventDedupe } from '../event-dedupe.js'
import { meaningOf } from './event.js'
import type { OmiseEvent } from './event.js'

export interface ProcessorLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface OmiseProcessorStats {
  /** events that set an outcome */
  applied: number
  /** events whose outcome was weaker than the stored one (kept) */
  kept: number
  /** events about a charge riskgate has no decision for, after holding them for the outbox's hold limit */
  unmatched: number
  /** events that carry no outcome (other keys, declines) */
  ignored: number
  /** events the outbox could not write (full, or left at shutdown): their claim is released */
  failed: number
}

export type ProcessResult = keyof OmiseProcessorStats | 'pending'

export interface OmiseEventProcessor {
  /** queues an accepted (claimed) event in the outbox; returns at once */
  submit: (event: OmiseEvent) => void
  /**
   * Processes one event now (what the outbox runs): `pending` when no recorded decision matches it
   * yet (its record may be on its way: the outbox tries again, up to its hold limit)
   */
  process: (event: OmiseEvent) => Promise<ProcessResult>
  stats: () => OmiseProcessorStats
}

export interface OmiseProcessorOptions {
  store: Pick<DecisionLogStore, 'setOutcome' | 'findByChargeId' | 'linkCharge' | 'keys' | 'lookup'>
  dedupe: Pick<EventDedupe, 'release'>
  outbox: Outbox
  log: ProcessorLogger
  now?: () => Date
}

export const OMISE_EVENT_KIND = 'omise-event'

/**
 * Applies Omise events to recorded decisions, through the outbox (retried while the store is
 * unavailable, held while the decision's record is on its way). The decision is found by, in
 * order: the charge's `riskgate_decision_id` metadata, its `riskgate_charge_id` metadata, the Omise
 * charge id (when the merchant used it as charge_id, or linked by an earlier event of the same
 * charge). Once found through metadata, the Omise charge id is linked to the decision, so a refund
 * or dispute (which carry only the charge id) finds it later.
 */
export function createOmiseEventProcessor (options: OmiseProcessorOptions): OmiseEventProcessor {
  const { store, dedupe, log } = options
  const now = options.now ?? (() => new Date())
  const stats: OmiseProcessorStats = { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }

  /** the first of the event's candidates that the log knows (recorded, or being decided) */
  async function findDecision (meaning: ReturnType<typeof meaningOf>): Promise<string | undefined> {
    const fromMetadata = [
      meaning.decisionId === undefined ? undefined : store.keys.ofDecisionId(meaning.decisionId),
      meaning.chargeId === undefined ? undefined : store.keys.ofCharge(meaning.chargeId)
    ]
    for (const key of fromMetadata) {
      if (key !== undefined && (await store.lookup(key)).status !== 'none') return key.decisionId
    }
    if (meaning.omiseChargeId !== undefined) return await store.findByChargeId(meaning.omiseChargeId)
    return undefined
  }

  async function process (event: OmiseEvent): Promise<ProcessResult> {
    const meaning = meaningOf(event)
    if (meaning.label === undefined && meaning.decisionId === undefined && meaning.chargeId === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const decisionId = await findDecision(meaning)
    if (decisionId === undefined) {
      if (meaning.label === undefined) {
        stats.ignored++
        return 'ignored'
      }
      return 'pending'
    }
    if (meaning.omiseChargeId !== undefined && (meaning.decisionId !== undefined || meaning.chargeId !== undefined)) {
      await store.linkCharge(meaning.omiseChargeId, decisionId)
    }
    if (meaning.label === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const result = await reportOutcome(store, decisionId, { label: meaning.label, source: 'omise', event_id: event.id, at: now().toISOString() })
    if (result.status === 'stored') {
      stats.applied++
      log.info({ event_id: event.id, event: event.key, decision_id: decisionId, label: meaning.label }, 'omise webhook: outcome recorded')
      return 'applied'
    }
    if (result.status === 'kept') {
      stats.kept++
      return 'kept'
    }
    return 'pending'
  }

  const submit = defineGatewayEvents<OmiseEvent>(options.outbox, {
    kind: OMISE_EVENT_KIND,
    process,
    dedupe,
    stats,
    log,
    fields: (event) => ({ event_id: event.id, event: event.key }),
    unmatchedMessage: 'omise webhook: no recorded decision for this charge',
    failedMessage: 'omise webhook: event not applied; a redelivery of it will be'
  })

  return {
    process,
    submit,
    stats: () => ({ ...stats })
  }
}
