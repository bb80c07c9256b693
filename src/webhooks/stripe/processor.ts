import { defineGatewayEvents } from '../gateway-events.js'
import type { DecisionLogStore } from '../../decision-log/store.js'
import { reportOutcome } from '../../outcomes/report-outcome.js'
import type { Outbox } from '../../outbox/outbox.js'
import type { EventDedupe } from '../event-dedupe.js'
import type { OmiseProcessorStats as GatewayProcessorStats, ProcessorLogger } from '../omise/processor.js'
import { meaningOf } from './event.js'
import type { StripeEvent, StripeEventMeaning } from './event.js'

export type StripeProcessorStats = GatewayProcessorStats
export type StripeProcessResult = keyof StripeProcessorStats | 'pending'

export interface StripeEventProcessor {
  /** queues an accepted (claimed) event in the outbox; returns at once */
  submit: (event: StripeEvent) => void
  /** processes one event now (what the outbox runs): `pending` when no recorded decision matches it yet */
  process: (event: StripeEvent) => Promise<StripeProcessResult>
  stats: () => StripeProcessorStats
}

export interface StripeProcessorOptions {
  store: Pick<DecisionLogStore, 'setOutcome' | 'findByChargeId' | 'linkCharge' | 'keys' | 'lookup'>
  dedupe: Pick<EventDedupe, 'release'>
  outbox: Outbox
  log: ProcessorLogger
  now?: () => Date
}

export const STRIPE_EVENT_KIND = 'stripe-event'

/**
 * Applies Stripe events to recorded decisions through the outbox, as the Omise processor does
 * (retried while the store is unavailable, held while the decision's record is on its way). The
 * decision is found by, in order: the charge's `riskgate_decision_id` metadata, its
 * `riskgate_charge_id` metadata, the Stripe charge id (`ch_...`: when the merchant used it as
 * charge_id, or linked by an earlier event of the same charge), the PaymentIntent id (`pi_...`,
 * when the merchant scored with it). Once found another way, the Stripe charge id is linked to the
 * decision, so a dispute or early fraud warning (which carry the charge id) finds it later.
 */
export function createStripeEventProcessor (options: StripeProcessorOptions): StripeEventProcessor {
  const { store, dedupe, log } = options
  const now = options.now ?? (() => new Date())
  const stats: StripeProcessorStats = { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }

  /** the decision, and whether it was found by the Stripe charge id itself (nothing to link then) */
  async function findDecision (meaning: StripeEventMeaning): Promise<{ decisionId: string, byStripeCharge: boolean } | undefined> {
    const fromMetadata = [
      meaning.decisionId === undefined ? undefined : store.keys.ofDecisionId(meaning.decisionId),
      meaning.chargeId === undefined ? undefined : store.keys.ofCharge(meaning.chargeId)
    ]
    for (const key of fromMetadata) {
      if (key !== undefined && (await store.lookup(key)).status !== 'none') return { decisionId: key.decisionId, byStripeCharge: false }
    }
    if (meaning.stripeChargeId !== undefined) {
      const decisionId = await store.findByChargeId(meaning.stripeChargeId)
      if (decisionId !== undefined) return { decisionId, byStripeCharge: true }
    }
    if (meaning.paymentIntentId !== undefined) {
      const decisionId = await store.findByChargeId(meaning.paymentIntentId)
      if (decisionId !== undefined) return { decisionId, byStripeCharge: false }
    }
    return undefined
  }

  async function process (event: StripeEvent): Promise<StripeProcessResult> {
    const meaning = meaningOf(event)
    if (meaning.label === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const found = await findDecision(meaning)
    if (found === undefined) return 'pending'
    const { decisionId } = found
    if (meaning.stripeChargeId !== undefined && !found.byStripeCharge) await store.linkCharge(meaning.stripeChargeId, decisionId)
    const result = await reportOutcome(store, decisionId, { label: meaning.label, source: 'stripe', event_id: event.id, at: now().toISOString() })
    if (result.status === 'stored') {
      stats.applied++
      log.info({ event_id: event.id, event: event.type, decision_id: decisionId, label: meaning.label }, 'stripe webhook: outcome recorded')
      return 'applied'
    }
    if (result.status === 'kept') {
      stats.kept++
      return 'kept'
    }
    return 'pending'
  }

  const submit = defineGatewayEvents<StripeEvent>(options.outbox, {
    kind: STRIPE_EVENT_KIND,
    process,
    dedupe,
    stats,
    log,
    fields: (event) => ({ event_id: event.id, event: event.type }),
    unmatchedMessage: 'stripe webhook: no recorded decision for this charge',
    failedMessage: 'stripe webhook: event not applied; a redelivery of it will be'
  })

  return {
    process,
    submit,
    stats: () => ({ ...stats })
  }
}
