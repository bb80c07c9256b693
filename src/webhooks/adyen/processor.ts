import { createGatewayProcessor } from '../gateway-processor.js'
import type { GatewayEventProcessor, GatewayProcessorOptions, GatewayProcessorStats } from '../gateway-processor.js'
import { labelOf } from './notification.js'
import type { AdyenNotification } from './notification.js'

/** the same counts as every gateway's: applied, kept, unmatched, ignored, failed */
export type AdyenProcessorStats = GatewayProcessorStats
export type AdyenNotificationProcessor = GatewayEventProcessor<AdyenNotification>
export type AdyenProcessorOptions = GatewayProcessorOptions

export const ADYEN_NOTIFICATION_KIND = 'adyen-notification'

/**
 * Applies Adyen notification items to recorded decisions (the shared gateway processor). The
 * decision is found by, in order: `metadata.riskgate_decision_id`, `metadata.riskgate_charge_id`
 * (the payment's metadata, echoed in the AUTHORISATION item), the `originalReference` (the payment's
 * pspReference, which a refund, chargeback or fraud notification names, linked by an earlier item of
 * the payment), the `pspReference`, then the `merchantReference` as the scored `charge_id`. Once
 * found another way, the payment's pspReference is linked to the decision, so a later modification
 * or dispute of the payment finds it too, whatever merchantReference it carries.
 */
export function createAdyenNotificationProcessor (options: AdyenProcessorOptions): AdyenNotificationProcessor {
  return createGatewayProcessor<AdyenNotification>(options, {
    source: 'adyen',
    kind: ADYEN_NOTIFICATION_KIND,
    name: 'adyen notification',
    meaningOf: (notification) => ({
      label: labelOf(notification),
      references: {
        decisionId: notification.decisionId,
        chargeId: notification.chargeId,
        gatewayIds: [notification.originalReference, notification.pspReference, notification.merchantReference === '' ? undefined : notification.merchantReference],
        linkId: notification.originalReference ?? notification.pspReference
      }
    }),
    fields: (notification) => ({ event_id: notification.id, event: notification.eventCode }),
    unmatchedMessage: 'adyen notification: no recorded decision for this payment',
    failedMessage: 'adyen notification: not applied; a retry of it will be'
  })
}
