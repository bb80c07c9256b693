import { createGatewayProcessor } from '../gateway-processor.js'
import type { GatewayEventProcessor, GatewayProcessorOptions, GatewayProcessorStats, GatewayProcessResult } from '../gateway-processor.js'
import { meaningOf } from './event.js'
import type { StripeEvent } from './event.js'

export type StripeProcessorStats = GatewayProcessorStats
export type StripeProcessResult = GatewayProcessResult
export type StripeEventProcessor = GatewayEventProcessor<StripeEvent>
export type StripeProcessorOptions = GatewayProcessorOptions

export const STRIPE_EVENT_KIND = 'stripe-event'

/**
 * Applies Stripe events to recorded decisions (the shared gateway processor). The decision is
 * found by, in order: the charge's `riskgate_decision_id` metadata, its `riskgate_charge_id`
 * metadata, the Stripe charge id (`ch_...`: when the merchant used it as charge_id, or linked by an
 * earlier event of the same charge), the PaymentIntent id (`pi_...`, when the merchant scored with
 * it). Once found another way, the Stripe charge id is linked to the decision, so a dispute or early
 * fraud warning (which carry the charge id) finds it later.
 */
export function createStripeEventProcessor (options: StripeProcessorOptions): StripeEventProcessor {
  return createGatewayProcessor<StripeEvent>(options, {
    source: 'stripe',
    kind: STRIPE_EVENT_KIND,
    name: 'stripe webhook',
    meaningOf (event) {
      const meaning = meaningOf(event)
      return {
        label: meaning.label,
        references: {
          decisionId: meaning.decisionId,
          chargeId: meaning.chargeId,
          gatewayIds: [meaning.stripeChargeId, meaning.paymentIntentId],
          linkId: meaning.stripeChargeId
        }
      }
    },
    fields: (event) => ({ event_id: event.id, event: event.type }),
    unmatchedMessage: 'stripe webhook: no recorded decision for this charge',
    failedMessage: 'stripe webhook: event not applied; a redelivery of it will be'
  })
}
