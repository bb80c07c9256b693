import { createGatewayProcessor } from '../gateway-processor.js'
import type { GatewayEventProcessor, GatewayProcessorOptions, GatewayProcessorStats, GatewayProcessResult } from '../gateway-processor.js'
import { meaningOf } from './event.js'
import type { OmiseEvent } from './event.js'

export type { ProcessorLogger } from '../gateway-processor.js'
export type OmiseProcessorStats = GatewayProcessorStats
export type ProcessResult = GatewayProcessResult
export type OmiseEventProcessor = GatewayEventProcessor<OmiseEvent>
export type OmiseProcessorOptions = GatewayProcessorOptions

export const OMISE_EVENT_KIND = 'omise-event'

/**
 * Applies Omise events to recorded decisions (the shared gateway processor). The decision is found
 * by, in order: the charge's `riskgate_decision_id` metadata, its `riskgate_charge_id` metadata,
 * the Omise charge id (when the merchant used it as charge_id, or linked by an earlier event of the
 * same charge). Once found through metadata, the Omise charge id is linked to the decision, so a
 * refund or dispute (which carry only the charge id) finds it later.
 */
export function createOmiseEventProcessor (options: OmiseProcessorOptions): OmiseEventProcessor {
  return createGatewayProcessor<OmiseEvent>(options, {
    source: 'omise',
    kind: OMISE_EVENT_KIND,
    name: 'omise webhook',
    meaningOf (event) {
      const meaning = meaningOf(event)
      return {
        label: meaning.label,
        references: { decisionId: meaning.decisionId, chargeId: meaning.chargeId, gatewayIds: [meaning.omiseChargeId], linkId: meaning.omiseChargeId }
      }
    },
    fields: (event) => ({ event_id: event.id, event: event.key }),
    unmatchedMessage: 'omise webhook: no recorded decision for this charge',
    failedMessage: 'omise webhook: event not applied; a redelivery of it will be'
  })
}
