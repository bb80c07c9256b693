import { createGatewayProcessor } from '../gateway-processor.js'
import type { GatewayEventProcessor, GatewayProcessorOptions, GatewayProcessorStats } from '../gateway-processor.js'
import { labelOf } from './notification.js'
import type { MidtransNotification } from './notification.js'

/** the same counts as every gateway's: applied, kept, unmatched, ignored, failed */
export type MidtransProcessorStats = GatewayProcessorStats
export type MidtransNotificationProcessor = GatewayEventProcessor<MidtransNotification>
export type MidtransProcessorOptions = GatewayProcessorOptions

export const MIDTRANS_NOTIFICATION_KIND = 'midtrans-notification'

/**
 * Applies Midtrans notifications to recorded decisions (the shared gateway processor). The
 * decision is found by, in order: `metadata.riskgate_decision_id`, `metadata.riskgate_charge_id`,
 * then the `order_id` as the scored `charge_id` (or linked by an earlier notification of the same
 * order). Once found through metadata (by any notification, with an outcome or not), the order id
 * is linked to the decision, so a later notification without metadata finds it too. A
 * notification with neither an outcome nor metadata is counted ignored without a lookup.
 */
export function createMidtransNotificationProcessor (options: MidtransProcessorOptions): MidtransNotificationProcessor {
  return createGatewayProcessor<MidtransNotification>(options, {
    source: 'midtrans',
    kind: MIDTRANS_NOTIFICATION_KIND,
    name: 'midtrans notification',
    meaningOf: (notification) => ({
      label: labelOf(notification),
      references: {
        decisionId: notification.decisionId,
        chargeId: notification.chargeId,
        gatewayIds: [notification.orderId],
        linkId: notification.orderId
      }
    }),
    fields: (notification) => ({ event_id: notification.id }),
    unmatchedMessage: 'midtrans notification: no recorded decision for this order',
    failedMessage: 'midtrans notification: not applied; a resend of it will be'
  })
}
