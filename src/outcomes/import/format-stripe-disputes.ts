import { disputeLabel } from '../../webhooks/stripe/event.js'
import type { Column, NormalizedRow } from './columns.js'
import { read } from './columns.js'
import type { ImportedOutcome } from './imported-outcome.js'
import { DECISION_ID_COLUMN, gatewayIdOf, metadataReferences, requireReference, RISKGATE_CHARGE_ID_COLUMN, timeOf, vocabularyWord } from './references.js'
import { ImportRowError, RowRefused } from './row-error.js'

/**
 * The Stripe Dashboard's disputes export (Payments, Disputes, Export), or a CSV of the API's
 * dispute objects: column names as the Dashboard writes them (`Charge ID`, `Created (UTC)`) or as
 * the API names the fields (`charge`, `created`), matched loosely (src/outcomes/import/columns.ts).
 */
export const STRIPE_DISPUTE_COLUMNS = {
  id: { name: 'id', aliases: ['id', 'dispute_id'] },
  charge: { name: 'Charge ID', aliases: ['charge_id', 'charge'] },
  paymentIntent: { name: 'Payment Intent ID', aliases: ['payment_intent_id', 'payment_intent'] },
  reason: { name: 'Reason', aliases: ['reason', 'dispute_reason'] },
  status: { name: 'Status', aliases: ['status', 'dispute_status'] },
  created: { name: 'Created (UTC)', aliases: ['created_utc', 'created', 'created_at'] },
  decisionId: DECISION_ID_COLUMN,
  chargeId: RISKGATE_CHARGE_ID_COLUMN
} as const satisfies Record<string, Column>

/** Stripe's dispute ids: `du_...` (and `dp_...` of older disputes) */
const DISPUTE_ID = /^(du|dp)_[A-Za-z0-9]{1,100}$/

/**
 * A dispute is `fraud` when its reason is `fraudulent`, else `chargeback`: the mapping of the
 * Stripe webhook's `charge.dispute.created` (src/webhooks/stripe/event.ts), whatever the dispute's
 * status since (a dispute won is still the cardholder's claim). Its id is the event applied once.
 */
export function readStripeDispute (row: NormalizedRow, nowMs: number): ImportedOutcome {
  const c = STRIPE_DISPUTE_COLUMNS
  const id = read(row, c.id)
  if (id === undefined || !DISPUTE_ID.test(id)) {
    throw new RowRefused(ImportRowError.INVALID_EVENT_ID, 'the id column must hold the Stripe dispute id (du_... or dp_...)')
  }
  const reason = vocabularyWord(read(row, c.reason))
  const status = vocabularyWord(read(row, c.status))
  const gatewayChargeIds = [gatewayIdOf(read(row, c.charge)), gatewayIdOf(read(row, c.paymentIntent))].filter((x): x is string => x !== undefined)
  const outcome: ImportedOutcome = {
    event: { id },
    label: disputeLabel(reason),
    ...metadataReferences(row),
    gatewayChargeIds
  }
  const at = timeOf(read(row, c.created), nowMs, 'Created (UTC)')
  if (at !== undefined) outcome.at = at
  const words = [reason === undefined ? undefined : `reason ${reason}`, status === undefined ? undefined : `status ${status}`].filter((w) => w !== undefined)
  outcome.note = `Stripe dispute ${id}${words.length > 0 ? `: ${words.join(', ')}` : ''}`
  return requireReference(outcome)
}
