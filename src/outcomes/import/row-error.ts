/**
 * Why an imported row was refused: stable codes, the same from the API (`POST /v1/outcomes:batch`,
 * per row) and from `riskgate outcomes import`, which adds the ones it finds reading the file.
 * Messages never quote a value of the row.
 */
export const ImportRowError = {
  /** the row is not an object of column -> text, number, boolean or null (at most 64 columns, values of 1,000 characters) */
  INVALID_ROW: 'invalid_row',
  /** no dispute or refund id (stripe-disputes, omise), or an id of another shape than the gateway's */
  INVALID_EVENT_ID: 'invalid_event_id',
  /** nothing to find the decision by: no decision id, charge id or gateway charge id */
  MISSING_REFERENCE: 'missing_reference',
  /** a decision id that is not one riskgate gives, or an over-long charge id */
  INVALID_REFERENCE: 'invalid_reference',
  /** generic: no outcome, or one that is not fraud, legit, chargeback or refund */
  INVALID_OUTCOME: 'invalid_outcome',
  /** generic: review_approved / review_rejected (close the review instead) or gateway_denied (a gateway's webhook only) */
  OUTCOME_NOT_IMPORTABLE: 'outcome_not_importable',
  /** omise: the row is neither a dispute nor a refund */
  UNKNOWN_KIND: 'unknown_kind',
  /** the time (reported_at, the created column) is not a date and time, or more than a day ahead */
  INVALID_TIME: 'invalid_time',
  /** no recorded decision yet, and too many rows already wait for theirs: import it again later */
  HOLD_FULL: 'hold_full',
  /** CLI: a CSV record with broken quoting (a quote inside an unquoted field, text after a closing quote, an open quote at the end) */
  MALFORMED_CSV: 'malformed_csv',
  /** CLI: a CSV record with another number of fields than the header */
  COLUMN_COUNT: 'column_count',
  /** CLI: an NDJSON line that is not a JSON object */
  INVALID_JSON: 'invalid_json'
} as const
export type ImportRowError = typeof ImportRowError[keyof typeof ImportRowError]

/** A row the import refuses, and why. */
export class RowRefused extends Error {
  readonly code: ImportRowError
  constructor (code: ImportRowError, message: string) {
    super(message)
    this.name = 'RowRefused'
    this.code = code
  }
}
