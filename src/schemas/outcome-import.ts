import { Type } from 'typebox'
import type { Static } from 'typebox'
import { IMPORT_FORMATS } from '../outcomes/import/imported-outcome.js'
import type { ImportFormat } from '../outcomes/import/imported-outcome.js'
import { ImportRowStatus } from '../outcomes/import/importer.js'
import { ImportRowError } from '../outcomes/import/row-error.js'

/** rows one request takes at most (`riskgate outcomes import` sends 500) */
export const MAX_BATCH_ROWS = 1_000
/** the body of one request at most */
export const BATCH_BODY_LIMIT = 2 * 1024 * 1024

export const OutcomeBatchRequestSchema = Type.Object({
  format: Type.Unsafe<ImportFormat>(Type.Union(IMPORT_FORMATS.map((f) => Type.Literal(f)), {
    description: 'stripe-disputes: the Stripe Dashboard\'s disputes export (id, Charge ID or Payment Intent ID, Reason, Status, Created (UTC)); omise: an Opn Payments (Omise) dispute or refund export (id, charge, created_at); generic: decision_id or charge_id, outcome, and optionally reported_at, note, event_id. Column names are matched loosely (case, spaces, punctuation); other columns are ignored'
  })),
  rows: Type.Array(Type.Object({}, { additionalProperties: true, description: 'one row of the export: column name -> text, number, boolean or null (at most 64 columns, values of at most 1,000 characters)' }), {
    minItems: 1,
    description: `at most ${MAX_BATCH_ROWS} rows (more: 400 too_many_rows); the body at most 2 MiB (more: 413 body_too_large)`
  })
}, {
  additionalProperties: false,
  examples: [{
    format: 'stripe-disputes',
    rows: [{ id: 'du_1QxTestDispute01', 'Charge ID': 'ch_3QxTestCharge0001', Reason: 'fraudulent', Status: 'needs_response', 'Created (UTC)': '2026-11-28 09:14:02' }]
  }]
})
export type OutcomeBatchRequest = Static<typeof OutcomeBatchRequestSchema>

const RowResultSchema = Type.Object({
  index: Type.Integer({ description: 'the row\'s place in `rows`, from 0' }),
  status: Type.Unsafe<ImportRowStatus>(Type.Union(Object.values(ImportRowStatus).map((s) => Type.Literal(s)), {
    description: 'applied: the outcome is the decision\'s latest now; kept: recorded in its history, a stronger outcome stays its latest; duplicate: this dispute, refund or row was imported before, nothing done; held: no recorded decision yet, applied when it lands (within 15 minutes); refused: see code'
  })),
  code: Type.Optional(Type.Unsafe<ImportRowError>(Type.Union(Object.values(ImportRowError).map((c) => Type.Literal(c))))),
  message: Type.Optional(Type.String()),
  event_id: Type.Optional(Type.String({ description: 'what the row is applied once as: the dispute or refund id, the row\'s event_id, or row_<keyed hash of what the row says>' })),
  decision_id: Type.Optional(Type.String())
}, { additionalProperties: false })

export const OutcomeBatchResponseSchema = Type.Object({
  results: Type.Array(RowResultSchema, { description: 'one per row, in order' }),
  counts: Type.Object(Object.fromEntries(Object.values(ImportRowStatus).map((s) => [s, Type.Integer()])) as Record<ImportRowStatus, ReturnType<typeof Type.Integer>>, { additionalProperties: false })
}, { additionalProperties: false })
export type OutcomeBatchResponse = Static<typeof OutcomeBatchResponseSchema>
