import { OutcomeLabel } from '../../decision-log/record.js'

/** The metadata keys a merchant sets on the Stripe charge (or PaymentIntent) so riskgate finds the decision. */
export const METADATA_DECISION_ID = 'riskgate_decision_id'
export const METADATA_CHARGE_ID = 'riskgate_charge_id'

/** What riskgate reads of a Stripe event (the rest is ignored). */
export interface StripeEvent {
  id: string
  type: string
  /** `data.object`: the charge, dispute or early fraud warning */
  object: Record<string, unknown>
}

/** What an event means for riskgate. */
export interface StripeEventMeaning {
  /** the outcome it reports, when it reports one */
  label?: OutcomeLabel
  /** the Stripe charge (ch_...) it is about */
  stripeChargeId?: string
  /** the PaymentIntent (pi_...) of that charge, when it has one */
  paymentIntentId?: string
  /** riskgate_decision_id / riskgate_charge_id from the charge's (or dispute's) metadata */
  decisionId?: string
  chargeId?: string
}

const EVENT_ID = /^[A-Za-z0-9_-]{1,100}$/

/** The event's id, type and data.object, or undefined when the body is not a Stripe event. */
export function parseStripeEvent (body: unknown): StripeEvent | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const { id, type, data } = body as Record<string, unknown>
  if (typeof id !== 'string' || !EVENT_ID.test(id) || typeof type !== 'string' || type.length > 100) return undefined
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined
  const object = (data as Record<string, unknown>).object
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return undefined
  return { id, type, object: object as Record<string, unknown> }
}

function stringOf (value: unknown, max = 128): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined
}

function metadataOf (object: unknown): Record<string, unknown> {
  if (object === null || typeof object !== 'object') return {}
  const metadata = (object as Record<string, unknown>).metadata
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata as Record<string, unknown> : {}
}

/**
 * The outcome a Stripe dispute reports: `fraud` when its reason is `fraudulent`, else `chargeback`
 * (the webhook's `charge.dispute.created` and an imported disputes export alike).
 */
export function disputeLabel (reason: unknown): OutcomeLabel {
  return reason === 'fraudulent' ? OutcomeLabel.FRAUD : OutcomeLabel.CHARGEBACK
}

/** the object type each outcome event must carry, and the outcome it reports */
const OUTCOME_EVENTS: Readonly<Record<string, { object: string, label: (object: Record<string, unknown>) => OutcomeLabel }>> = {
  'charge.succeeded': { object: 'charge', label: () => OutcomeLabel.LEGIT },
  'charge.refunded': { object: 'charge', label: () => OutcomeLabel.REFUND },
  'charge.dispute.created': { object: 'dispute', label: (d) => disputeLabel(d.reason) },
  'radar.early_fraud_warning.created': { object: 'radar.early_fraud_warning', label: () => OutcomeLabel.FRAUD }
}

/**
 * What an event means (see README "Stripe webhook"):
 * - `charge.succeeded`: `legit` (provisional: a later refund, dispute or fraud warning replaces it,
 *   it never replaces them).
 * - `charge.refunded`: `refund`.
 * - `charge.dispute.created`: `chargeback`, or `fraud` when the dispute's reason is `fraudulent`.
 * - `radar.early_fraud_warning.created`: `fraud` (the issuer reported the charge as fraudulent).
 * - any other type: nothing (acknowledged and ignored).
 * A charge event's metadata links its `ch_...` id to the decision; disputes and early fraud
 * warnings carry the charge id (or the expanded charge). Every object names its PaymentIntent
 * (`pi_...`), which a merchant may have scored as charge_id (the risk check comes before the charge).
 */
export function meaningOf (event: StripeEvent): StripeEventMeaning {
  const spec = OUTCOME_EVENTS[event.type]
  const object = event.object
  const meaning: StripeEventMeaning = {}
  if (spec === undefined || object.object !== spec.object) return meaning
  let charge: Record<string, unknown> | undefined
  if (object.object === 'charge') {
    charge = object
  } else if (typeof object.charge === 'string') {
    const id = stringOf(object.charge)
    if (id !== undefined) meaning.stripeChargeId = id
  } else if (object.charge !== null && typeof object.charge === 'object') {
    charge = object.charge as Record<string, unknown>
  }
  if (charge !== undefined) {
    const id = stringOf(charge.id)
    if (id !== undefined) meaning.stripeChargeId = id
  }
  const paymentIntentId = stringOf(charge?.payment_intent) ?? stringOf(object.payment_intent)
  if (paymentIntentId !== undefined) meaning.paymentIntentId = paymentIntentId
  // the charge's metadata first, then the dispute's own
  const metadata = { ...metadataOf(object === charge ? undefined : object), ...metadataOf(charge) }
  const decisionId = stringOf(metadata[METADATA_DECISION_ID], 64)
  const chargeId = stringOf(metadata[METADATA_CHARGE_ID])
  if (decisionId !== undefined) meaning.decisionId = decisionId
  if (chargeId !== undefined) meaning.chargeId = chargeId
  meaning.label = spec.label(object)
  return meaning
}
