import type { DecisionOutcome, OutcomeLabel } from '../decision-log/record.js'
import type { DecisionLogStore } from '../decision-log/store.js'
import { reportOutcome } from '../outcomes/report-outcome.js'
import type { Outbox } from '../outbox/outbox.js'
import type { EventDedupe } from './event-dedupe.js'
import { findDecision, hasMetadata } from './find-decision.js'
import type { DecisionReferences } from './find-decision.js'
import { defineGatewayEvents } from './gateway-events.js'

export interface ProcessorLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

/** what became of a gateway's accepted events (riskgate_webhook_events_total) */
export interface GatewayProcessorStats {
  /** events that set an outcome */
  applied: number
  /** events whose outcome was weaker than the stored one (kept) */
  kept: number
  /** events about a payment riskgate has no decision for, after holding them for the outbox's hold limit */
  unmatched: number
  /** events that carry no outcome (other types, declines) */
  ignored: number
  /** events the outbox could not write (full, or left at shutdown): their claim is released */
  failed: number
}

export type GatewayProcessResult = keyof GatewayProcessorStats | 'pending'

export interface GatewayEventProcessor<E> {
  /** queues an accepted (claimed) event in the outbox; returns at once */
  submit: (event: E) => void
  /**
   * Processes one event now (what the outbox runs): `pending` when no recorded decision matches it
   * yet (its record may be on its way: the outbox tries again, up to its hold limit)
   */
  process: (event: E) => Promise<GatewayProcessResult>
  stats: () => GatewayProcessorStats
}

export interface GatewayProcessorOptions {
  store: Pick<DecisionLogStore, 'setOutcome' | 'findByChargeId' | 'linkCharge' | 'keys' | 'lookup'>
  dedupe: Pick<EventDedupe, 'release'>
  outbox: Outbox
  log: ProcessorLogger
  now?: () => Date
}

/** What one event means for riskgate: the outcome it reports, if any, and how to find its decision. */
export interface GatewayEventMeaning {
  label?: OutcomeLabel | undefined
  references: DecisionReferences
}

export interface GatewaySpec<E extends { id: string }> {
  /** the outcome's source, and the outbox kind of the gateway's events */
  source: Exclude<DecisionOutcome['source'], 'api' | 'review'>
  kind: string
  /** how log lines name an event: `stripe webhook`, `midtrans notification` */
  name: string
  meaningOf: (event: E) => GatewayEventMeaning
  /** the fields that name an event in a log line */
  fields: (event: E) => Record<string, unknown>
  /** the log lines of an event held past the hold limit, and of one the outbox dropped */
  unmatchedMessage: string
  failedMessage: string
}

/**
 * Applies a gateway's accepted events to recorded decisions, through the outbox (retried while the
 * store is unavailable, held while the decision's record is on its way). An event with an outcome
 * is applied to the decision its references find (findDecision); one without an outcome but with
 * riskgate's metadata still links the gateway's payment id to the decision; one with neither is
 * counted ignored without a lookup. Outcomes follow OUTCOME_RANK: a provisional `legit` never
 * replaces a chargeback. Every gateway webhook's processor is one of these.
 */
export function createGatewayProcessor<E extends { id: string }> (options: GatewayProcessorOptions, spec: GatewaySpec<E>): GatewayEventProcessor<E> {
  const { store, dedupe, log } = options
  const now = options.now ?? (() => new Date())
  const stats: GatewayProcessorStats = { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }

  async function process (event: E): Promise<GatewayProcessResult> {
    const { label, references } = spec.meaningOf(event)
    if (label === undefined && !hasMetadata(references)) {
      stats.ignored++
      return 'ignored'
    }
    const decisionId = await findDecision(store, references)
    if (decisionId === undefined && label !== undefined) return 'pending'
    if (decisionId === undefined || label === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const result = await reportOutcome(store, decisionId, { label, source: spec.source, event_id: event.id, at: now().toISOString() })
    if (result.status === 'stored') {
      stats.applied++
      log.info({ ...spec.fields(event), decision_id: decisionId, label }, `${spec.name}: outcome recorded`)
      return 'applied'
    }
    if (result.status === 'kept') {
      stats.kept++
      return 'kept'
    }
    return 'pending'
  }

  const submit = defineGatewayEvents<E>(options.outbox, {
    kind: spec.kind,
    process,
    dedupe,
    stats,
    log,
    fields: spec.fields,
    unmatchedMessage: spec.unmatchedMessage,
    failedMessage: spec.failedMessage
  })

  return {
    process,
    submit,
    stats: () => ({ ...stats })
  }
}
