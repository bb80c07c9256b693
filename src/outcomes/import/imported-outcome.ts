import type { OutcomeLabel } from '../../decision-log/record.js'

/** The formats `POST /v1/outcomes:batch` and `riskgate outcomes import` read. */
export const ImportFormat = {
  STRIPE_DISPUTES: 'stripe-disputes',
  OMISE: 'omise',
  GENERIC: 'generic'
} as const
export type ImportFormat = typeof ImportFormat[keyof typeof ImportFormat]

export const IMPORT_FORMATS: readonly ImportFormat[] = Object.values(ImportFormat)

/** What a row of an export reports, once read. */
export interface ImportedOutcome {
  /**
   * what makes the row one event, applied once: the gateway's dispute or refund id, a generic
   * row's event_id, or (`content`) the text of what a generic row says, of which the import keeps
   * a keyed hash
   */
  event: { id: string } | { content: string }
  label: OutcomeLabel
  /** riskgate's decision id (a column, or the gateway object's metadata) */
  decisionId?: string
  /** the charge_id the merchant scored (a column, or the gateway object's metadata) */
  chargeId?: string
  /**
   * the gateway's ids of the charge (Stripe `ch_...` then `pi_...`, Omise `chrg_...`): the
   * decision's own charge_id when the merchant scored with it, or linked by a webhook; linked to
   * the decision here when it is found another way
   */
  gatewayChargeIds: string[]
  /** when the outcome happened (ISO 8601): the dispute's or refund's creation, a generic row's reported_at */
  at?: string
  note?: string
}
