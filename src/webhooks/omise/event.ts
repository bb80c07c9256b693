import { OutcomeLabel } from '../../decision-log/record.js'

/** The metadata keys a merchant sets on the Omise charge so riskgate finds the decision. */
export const METADATA_DECISION_ID = 'riskgate_decision_id'
export const METADATA_CHARGE_ID = 'riskgate_charge_id'

/** What riskgate reads of an Omise event (the rest is ignored). */
export interface OmiseEvent {
  id: string
  key: string
  data: Record<string, unknown>
}

/** What an event means for riskgate. */
export interface OmiseEventMeaning {
  /** the outcome it reports, when it reports one */
  label?: OutcomeLabel
  /** the Omise charge (chrg_...) it is about */
  omiseChargeId?: string
  /** riskgate_decision_id / riskgate_charge_id from the charge's (or refund's, dispute's) metadata */
  decisionId?: string
  chargeId?: string
}

const EVENT_ID = /^[A-Za-z0-9_-]{1,100}$/

/** The event's id, key and data object, or undefined when the body is not an Omise event. */
export function parseOmiseEvent (body: unknown): OmiseEvent | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const { id, key, data } = body as Record<string, unknown>
  if (typeof id !== 'string' || !EVENT_ID.test(id) || typeof key !== 'string' || key.length > 100) return undefined
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined
  return { id, key, data: data as Record<string, unknown> }
}

/** Omise failure codes that say the card was used by someone else: the issuer's word */
const FRAUD_FAILURES: ReadonlySet<string> = new Set(['stolen_or_lost_card'])

function stringOf (value: unknown, max = 128): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined
}

function metadataOf (object: unknown): Record<string, unknown> {
  if (object === null || typeof object !== 'object') return {}
  const metadata = (object as Record<string, unknown>).metadata
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata as Record<string, unknown> : {}
}

/**
 * The outcome an Omise refund or dispute reports (the webhook's `refund.create` and
 * `dispute.create`, and an imported export alike): every refund a `refund`, every dispute a
 * `chargeback`.
 */
export const OBJECT_OUTCOMES = { refund: OutcomeLabel.REFUND, dispute: OutcomeLabel.CHARGEBACK } as const

function chargeLabel (charge: Record<string, unknown>): OutcomeLabel | undefined {
  if (charge.status === 'successful') return OutcomeLabel.LEGIT
  if (charge.status === 'failed' && typeof charge.failure_code === 'string' && FRAUD_FAILURES.has(charge.failure_code)) return OutcomeLabel.FRAUD
  return undefined
}

/**
 * What an event means (DESIGN choice, see docs/decision-log.md):
 * - `charge.complete`: a successful charge is `legit` (provisional: a later refund or dispute
 *   replaces it, it never replaces them); a failed one is `fraud` only for `stolen_or_lost_card`,
 *   otherwise no outcome (a decline says nothing about fraud).
 * - `charge.failed`: the same as a failed `charge.complete`.
 * - `refund.create`: `refund`.  `dispute.create`: `chargeback`.
 * - any other event of a charge: no outcome, but its metadata links the Omise charge id to the decision.
 */
export function meaningOf (event: OmiseEvent): OmiseEventMeaning {
  const data = event.data
  const meaning: OmiseEventMeaning = {}
  let charge: Record<string, unknown> | undefined
  if (data.object === 'charge') {
    charge = data
  } else if (data.object === 'refund' || data.object === 'dispute') {
    if (typeof data.charge === 'string') meaning.omiseChargeId = stringOf(data.charge)
    else if (data.charge !== null && typeof data.charge === 'object') charge = data.charge as Record<string, unknown>
  } else {
    return meaning
  }
  if (charge !== undefined) {
    const id = stringOf(charge.id)
    if (id !== undefined) meaning.omiseChargeId = id
  }
  // the charge's metadata first, then the refund's or dispute's own
  const metadata = { ...metadataOf(data), ...metadataOf(charge) }
  const decisionId = stringOf(metadata[METADATA_DECISION_ID], 64)
  const chargeId = stringOf(metadata[METADATA_CHARGE_ID])
  if (decisionId !== undefined) meaning.decisionId = decisionId
  if (chargeId !== undefined) meaning.chargeId = chargeId

  let label: OutcomeLabel | undefined
  switch (event.key) {
    case 'charge.complete':
    case 'charge.failed':
      if (data.object === 'charge') label = chargeLabel(data)
      if (event.key === 'charge.failed' && label === OutcomeLabel.LEGIT) label = undefined
      break
    case 'refund.create':
      if (data.object === 'refund') label = OBJECT_OUTCOMES.refund
      break
    case 'dispute.create':
      if (data.object === 'dispute') label = OBJECT_OUTCOMES.dispute
      break
  }
  if (label !== undefined) meaning.label = label
  return meaning
}
