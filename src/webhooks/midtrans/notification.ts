import { OutcomeLabel } from '../../decision-log/record.js'

/** The metadata keys a merchant may set on the Midtrans transaction so riskgate finds the decision. */
export const METADATA_DECISION_ID = 'riskgate_decision_id'
export const METADATA_CHARGE_ID = 'riskgate_charge_id'

/** What riskgate reads of a Midtrans HTTP notification (the rest is ignored). */
export interface MidtransNotification {
  /** `<transaction_id>:<transaction_status>:<status_code>`: one id per notification, the same for its resends */
  id: string
  orderId: string
  transactionId: string
  transactionStatus: string
  statusCode: string
  grossAmount: string
  fraudStatus?: string
  /** riskgate_decision_id / riskgate_charge_id from the transaction's `metadata` */
  decisionId?: string
  chargeId?: string
}

/** Midtrans order ids: at most 50 characters of letters, digits, `-`, `_`, `~` and `.` */
const ORDER_ID = /^[A-Za-z0-9._~-]{1,50}$/
const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,100}$/
const STATUS = /^[a-z_]{1,40}$/
const STATUS_CODE = /^[0-9]{3}$/
const AMOUNT = /^[0-9]{1,15}(\.[0-9]{1,2})?$/

function stringOf (value: unknown, max = 128): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined
}

/**
 * The fields riskgate needs, or undefined when the body is not a Midtrans notification. The
 * signed fields (order_id, status_code, gross_amount) are kept exactly as sent: the signature
 * covers these strings.
 */
export function parseMidtransNotification (body: unknown): MidtransNotification | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const b = body as Record<string, unknown>
  const orderId = b.order_id
  const transactionId = b.transaction_id
  const transactionStatus = b.transaction_status
  const statusCode = b.status_code
  const grossAmount = b.gross_amount
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) return undefined
  if (typeof transactionId !== 'string' || !TRANSACTION_ID.test(transactionId)) return undefined
  if (typeof transactionStatus !== 'string' || !STATUS.test(transactionStatus)) return undefined
  if (typeof statusCode !== 'string' || !STATUS_CODE.test(statusCode)) return undefined
  if (typeof grossAmount !== 'string' || !AMOUNT.test(grossAmount)) return undefined
  const notification: MidtransNotification = {
    id: `${transactionId}:${transactionStatus}:${statusCode}`,
    orderId,
    transactionId,
    transactionStatus,
    statusCode,
    grossAmount
  }
  if (typeof b.fraud_status === 'string' && STATUS.test(b.fraud_status)) notification.fraudStatus = b.fraud_status
  const metadata = b.metadata
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const m = metadata as Record<string, unknown>
    const decisionId = stringOf(m[METADATA_DECISION_ID], 64)
    const chargeId = stringOf(m[METADATA_CHARGE_ID])
    if (decisionId !== undefined) notification.decisionId = decisionId
    if (chargeId !== undefined) notification.chargeId = chargeId
  }
  return notification
}

/**
 * The outcome a notification reports, if any (DESIGN choice, see docs/decision-log.md):
 * - `refund`, `partial_refund`: `refund`; `chargeback`, `partial_chargeback`: `chargeback`;
 * - `deny`, or any other status with `fraud_status` `deny`: `gateway_denied` (Midtrans' fraud
 *   screening refused the charge: its verdict, kept apart from a confirmed `fraud`);
 * - `settlement`, or `capture` with `fraud_status` `accept`: `legit` (provisional: a later refund
 *   or chargeback replaces it, it never replaces them);
 * - anything else (`capture` with `challenge`, `authorize`, `pending`, `cancel`, `expire`,
 *   `failure`, a status riskgate does not know): no outcome.
 */
export function labelOf (notification: Pick<MidtransNotification, 'transactionStatus' | 'fraudStatus'>): OutcomeLabel | undefined {
  const { transactionStatus: status, fraudStatus } = notification
  switch (status) {
    case 'refund':
    case 'partial_refund':
      return OutcomeLabel.REFUND
    case 'chargeback':
    case 'partial_chargeback':
      return OutcomeLabel.CHARGEBACK
  }
  if (status === 'deny' || fraudStatus === 'deny') return OutcomeLabel.GATEWAY_DENIED
  if (status === 'settlement') return OutcomeLabel.LEGIT
  if (status === 'capture' && fraudStatus === 'accept') return OutcomeLabel.LEGIT
  return undefined
}
