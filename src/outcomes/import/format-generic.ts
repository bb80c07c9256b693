import { OutcomeLabel } from '../../decision-log/record.js'
import type { Column, NormalizedRow } from './columns.js'
import { read } from './columns.js'
import type { ImportedOutcome } from './imported-outcome.js'
import { chargeIdOf, decisionIdOf, requireReference, timeOf } from './references.js'
import { ImportRowError, RowRefused } from './row-error.js'

/** riskgate's own import format, CSV or NDJSON */
export const GENERIC_COLUMNS = {
  decisionId: { name: 'decision_id', aliases: ['decision_id', 'riskgate_decision_id'] },
  chargeId: { name: 'charge_id', aliases: ['charge_id', 'riskgate_charge_id'] },
  outcome: { name: 'outcome', aliases: ['outcome', 'label'] },
  reportedAt: { name: 'reported_at', aliases: ['reported_at'] },
  note: { name: 'note', aliases: ['note'] },
  eventId: { name: 'event_id', aliases: ['event_id'] }
} as const satisfies Record<string, Column>

/** the labels an import reports: the outcome API's, but for the review closes */
export const IMPORTABLE_LABELS: readonly OutcomeLabel[] = [OutcomeLabel.FRAUD, OutcomeLabel.LEGIT, OutcomeLabel.CHARGEBACK, OutcomeLabel.REFUND]
const KNOWN_LABELS: ReadonlySet<string> = new Set(Object.values(OutcomeLabel))

const EVENT_ID = /^[A-Za-z0-9_.:-]{1,100}$/

/**
 * A row of `decision_id` or `charge_id`, `outcome` and optionally `reported_at`, `note` and
 * `event_id`. Without an event_id, the row is one event by what it says: the same decision, outcome,
 * time and note imported again is applied once.
 */
export function readGenericRow (row: NormalizedRow, nowMs: number): ImportedOutcome {
  const c = GENERIC_COLUMNS
  const text = read(row, c.outcome)?.toLowerCase()
  if (text === undefined || !KNOWN_LABELS.has(text)) {
    throw new RowRefused(ImportRowError.INVALID_OUTCOME, `outcome must be one of ${IMPORTABLE_LABELS.join(', ')}`)
  }
  const label = text as OutcomeLabel
  if (!IMPORTABLE_LABELS.includes(label)) {
    throw new RowRefused(ImportRowError.OUTCOME_NOT_IMPORTABLE, label === OutcomeLabel.GATEWAY_DENIED
      ? 'gateway_denied comes only from a gateway\'s webhook'
      : 'review_approved and review_rejected are recorded by closing the review: POST /v1/reviews/:decision_id')
  }
  const decisionId = decisionIdOf(read(row, c.decisionId))
  const chargeId = chargeIdOf(read(row, c.chargeId))
  const at = timeOf(read(row, c.reportedAt), nowMs, 'reported_at')
  const note = read(row, c.note)
  const eventId = read(row, c.eventId)
  if (eventId !== undefined && !EVENT_ID.test(eventId)) {
    throw new RowRefused(ImportRowError.INVALID_EVENT_ID, 'event_id must be 1-100 letters, digits, _ . : -')
  }
  const outcome: ImportedOutcome = {
    event: eventId !== undefined ? { id: eventId } : { content: JSON.stringify([decisionId ?? '', chargeId ?? '', label, at ?? '', note ?? '']) },
    label,
    gatewayChargeIds: []
  }
  if (decisionId !== undefined) outcome.decisionId = decisionId
  if (chargeId !== undefined) outcome.chargeId = chargeId
  if (at !== undefined) outcome.at = at
  if (note !== undefined) outcome.note = note
  return requireReference(outcome)
}
