import type { Column, NormalizedRow } from './columns.js'
import { hasColumn, normalizeColumn } from './columns.js'
import { GENERIC_COLUMNS, readGenericRow } from './format-generic.js'
import { OMISE_COLUMNS, readOmiseRow } from './format-omise.js'
import { readStripeDispute, STRIPE_DISPUTE_COLUMNS } from './format-stripe-disputes.js'
import { ImportFormat } from './imported-outcome.js'
import type { ImportedOutcome } from './imported-outcome.js'

export interface FormatSpec {
  /** every column the format reads; the others are ignored (and the CLI does not send them) */
  columns: Readonly<Record<string, Column>>
  /** a file's header must hold one column of each group */
  required: ReadonlyArray<readonly Column[]>
  /** the row's outcome, or a RowRefused */
  read: (row: NormalizedRow, nowMs: number) => ImportedOutcome
}

const stripe = STRIPE_DISPUTE_COLUMNS
const omise = OMISE_COLUMNS
const generic = GENERIC_COLUMNS

export const FORMATS: Readonly<Record<ImportFormat, FormatSpec>> = {
  [ImportFormat.STRIPE_DISPUTES]: {
    columns: stripe,
    required: [[stripe.id], [stripe.reason], [stripe.charge, stripe.paymentIntent, stripe.decisionId, stripe.chargeId]],
    read: readStripeDispute
  },
  [ImportFormat.OMISE]: {
    columns: omise,
    required: [[omise.id], [omise.charge, omise.decisionId, omise.chargeId]],
    read: readOmiseRow
  },
  [ImportFormat.GENERIC]: {
    columns: generic,
    required: [[generic.outcome], [generic.decisionId, generic.chargeId]],
    read: readGenericRow
  }
}

/** the normalized names of every column a format reads */
export function readColumns (format: ImportFormat): ReadonlySet<string> {
  return new Set(Object.values(FORMATS[format].columns).flatMap((c) => c.aliases))
}

/** What a CSV header lacks for the format: one line per missing group, e.g. `Reason`, `Charge ID (or ...)`. */
export function missingColumns (format: ImportFormat, header: readonly string[]): string[] {
  const names = new Set(header.map(normalizeColumn))
  return FORMATS[format].required
    .filter((group) => !group.some((column) => hasColumn(names, column)))
    .map((group) => group.length === 1 ? (group[0] as Column).name : `${(group[0] as Column).name} (or ${group.slice(1).map((c) => c.name).join(', ')})`)
}
