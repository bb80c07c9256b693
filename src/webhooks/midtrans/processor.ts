import { defineGatewayEvents } from '../gateway-events.js'
import type { DecisionLogStore } from '../../decision-log/store.js'
import { reportOutcome } from '../../outcomes/report-outcome.js'
import type { Outbox } from '../../outbox/outbox.js'
import type { EventDedupe } from '../event-dedupe.js'
import type { OmiseProcessorStats, ProcessorLogger, ProcessResult } from '../omise/processor.js'
import { labelOf } from './notification.js'
import type { MidtransNotification } from './notification.js'

/** the same counts as the Omise processor's: applied, kept, unmatched, ignored, failed */
export type MidtransProcessorStats = OmiseProcessorStats

export interface MidtransNotificationProcessor {
  /** queues an accepted (claimed) notification in the outbox; returns at once */
  submit: (notification: MidtransNotification) => void
  /** processes one notification now (what the outbox runs): `pending` when no recorded decision matches it yet */
  process: (notification: MidtransNotification) => Promise<ProcessResult>
  stats: () => MidtransProcessorStats
}

export interface MidtransProcessorOptions {
  store: Pick<DecisionLogStore, 'setOutcome' | 'findByChargeId' | 'linkCharge' | 'keys' | 'lookup'>
  dedupe: Pick<EventDedupe, 'release'>
  outbox: Outbox
  log: ProcessorLogger
  now?: () => Date
}

export const MIDTRANS_NOTIFICATION_KIND = 'midtrans-notification'

/**
 * Applies Midtrans notifications to recorded decisions through the outbox, as Omise events are
 * (retried while the store is unavailable, held while the decision's record is on its way). The
 * decision is found by, in order: `metadata.riskgate_decision_id`, `metadata.riskgate_charge_id`,
 * then the `order_id` as the scored `charge_id` (or linked by an earlier notification of the same
 * order). Once found through metadata (by any notification, with an outcome or not), the order id
 * is linked to the decision, so a later notification without metadata finds it too. A
 * notification with neither an outcome nor metadata is counted ignored without a lookup.
 */
export function createMidtransNotificationProcessor (options: MidtransProcessorOptions): MidtransNotificationProcessor {
  const { store, dedupe, log } = options
  const now = options.now ?? (() => new Date())
  const stats: MidtransProcessorStats = { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }

  async function findDecision (notification: MidtransNotification): Promise<string | undefined> {
    const fromMetadata = [
      notification.decisionId === undefined ? undefined : store.keys.ofDecisionId(notification.decisionId),
      notification.chargeId === undefined ? undefined : store.keys.ofCharge(notification.chargeId)
    ]
    for (const key of fromMetadata) {
      if (key !== undefined && (await store.lookup(key)).status !== 'none') return key.decisionId
    }
    return await store.findByChargeId(notification.orderId)
  }

  async function process (notification: MidtransNotification): Promise<ProcessResult> {
    const label = labelOf(notification)
    const hasMetadata = notification.decisionId !== undefined || notification.chargeId !== undefined
    if (label === undefined && !hasMetadata) {
      stats.ignored++
      return 'ignored'
    }
    const decisionId = await findDecision(notification)
    if (decisionId === undefined) {
      if (label === undefined) {
        stats.ignored++
        return 'ignored'
      }
      return 'pending'
    }
    if (hasMetadata) await store.linkCharge(notification.orderId, decisionId)
    if (label === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const result = await reportOutcome(store, decisionId, { label, source: 'midtrans', event_id: notification.id, at: now().toISOString() })
    if (result.status === 'stored') {
      stats.applied++
      log.info({ event_id: notification.id, decision_id: decisionId, label }, 'midtrans notification: outcome recorded')
      return 'applied'
    }
    if (result.status === 'kept') {
      stats.kept++
      return 'kept'
    }
    return 'pending'
  }

  const submit = defineGatewayEvents<MidtransNotification>(options.outbox, {
    kind: MIDTRANS_NOTIFICATION_KIND,
    process,
    dedupe,
    stats,
    log,
    fields: (notification) => ({ event_id: notification.id }),
    unmatchedMessage: 'midtrans notification: no recorded decision for this order',
    failedMessage: 'midtrans notification: not applied; a resend of it will be'
  })

  return {
    process,
    submit,
    stats: () => ({ ...stats })
  }
}
