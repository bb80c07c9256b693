import { parseCsv } from '../../src/util/csv-parser.js'

/**
 * Export files as gateways' dashboards write them, for the outcome import's tests: every column a
 * real export has (the customer's email and name, card details, free text with commas and line
 * breaks), quoted as RFC 4180 says, CRLF line ends as spreadsheet exports have.
 */

export function csvField (value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export function csvText (header: readonly string[], rows: ReadonlyArray<readonly string[]>, eol = '\r\n'): string {
  return [header, ...rows].map((fields) => fields.map(csvField).join(',')).join(eol) + eol
}

/** `YYYY-MM-DD HH:MM:SS`, as a Dashboard's `(UTC)` columns write a time */
export function utcText (ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

export interface StripeDispute {
  id: string
  chargeId?: string
  paymentIntentId?: string
  reason: string
  status: string
  createdMs: number
  amount?: number
  currency?: string
  email?: string
  description?: string
  /** riskgate_decision_id in the dispute's metadata */
  decisionId?: string
}

export const STRIPE_DISPUTES_HEADER = [
  'id', 'Created (UTC)', 'Amount', 'Currency', 'Reason', 'Status', 'Charge ID', 'Payment Intent ID',
  'Evidence Due By (UTC)', 'Customer Email', 'Customer Description', 'Card Brand', 'Card Last4', 'Network Reason Code',
  'riskgate_decision_id (metadata)'
] as const

export function stripeDisputesCsv (disputes: readonly StripeDispute[]): string {
  return csvText(STRIPE_DISPUTES_HEADER, disputes.map((d) => [
    d.id,
    utcText(d.createdMs),
    ((d.amount ?? 125_000) / 100).toFixed(2),
    d.currency ?? 'thb',
    d.reason,
    d.status,
    d.chargeId ?? '',
    d.paymentIntentId ?? '',
    utcText(d.createdMs + 14 * 86_400_000),
    d.email ?? 'somchai@example.co.th',
    d.description ?? 'Order #1042, "gift" bundle\nshipped to Bangkok',
    'visa',
    '4242',
    d.reason === 'fraudulent' ? '10.4' : '13.1',
    d.decisionId ?? ''
  ]))
}

export interface OmiseObject {
  id: string
  kind: 'dispute' | 'refund'
  charge?: string
  createdMs: number
  status: string
  reasonCode?: string
  decisionId?: string
  chargeId?: string
  email?: string
}

export const OMISE_HEADER = [
  'id', 'object', 'created_at', 'amount', 'currency', 'status', 'charge', 'reason_code', 'reason_message',
  'customer_email', 'card_name', 'metadata.riskgate_decision_id', 'metadata.riskgate_charge_id'
] as const

export function omiseCsv (objects: readonly OmiseObject[]): string {
  return csvText(OMISE_HEADER, objects.map((o) => [
    o.id,
    o.kind,
    new Date(o.createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    '125000',
    'THB',
    o.status,
    o.charge ?? '',
    o.reasonCode ?? (o.kind === 'dispute' ? 'goods_or_services_not_provided' : ''),
    o.kind === 'dispute' ? 'Cardholder says the goods never arrived, see attached' : '',
    o.email ?? 'somchai@example.co.th',
    'SOMCHAI JAIDEE',
    o.decisionId ?? '',
    o.chargeId ?? ''
  ]))
}

export interface GenericRow {
  decision_id?: string
  charge_id?: string
  outcome: string
  reported_at?: string
  note?: string
  event_id?: string
}

export const GENERIC_HEADER = ['decision_id', 'charge_id', 'outcome', 'reported_at', 'note', 'event_id'] as const

export function genericCsv (rows: readonly GenericRow[]): string {
  return csvText(GENERIC_HEADER, rows.map((r) => GENERIC_HEADER.map((name) => r[name] ?? '')))
}

export function genericNdjson (rows: readonly GenericRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n'
}

/** a CSV text's rows as POST /v1/outcomes:batch takes them: header name -> value, every column */
export function csvRows (text: string): Array<Record<string, string>> {
  const [header, ...records] = parseCsv(text)
  return records.map((r) => Object.fromEntries((header?.fields ?? []).map((name, i) => [name, r.fields[i] ?? ''])))
}
