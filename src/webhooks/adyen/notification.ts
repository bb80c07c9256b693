import { OutcomeLabel } from '../../decision-log/record.js'

/**
 * The metadata keys a merchant may set on the Adyen payment (`metadata` of the /payments request)
 * so riskgate finds the decision. Adyen echoes them in the AUTHORISATION notification's
 * additionalData, prefixed `metadata.`.
 */
export const METADATA_DECISION_ID = 'metadata.riskgate_decision_id'
export const METADATA_CHARGE_ID = 'metadata.riskgate_charge_id'

/** At most this many items in one delivery (Adyen's JSON notifications carry one). */
export const MAX_NOTIFICATION_ITEMS = 100

/** What riskgate reads of one Adyen NotificationRequestItem (the rest is ignored). */
export interface AdyenNotification {
  /** `<pspReference>:<eventCode>:<success>[:<originalReference>]`: one id per event, the same for its retries */
  id: string
  eventCode: string
  success: boolean
  /** Adyen's id of the payment, or of the modification or dispute the item is about */
  pspReference: string
  /** for modifications and disputes: the pspReference of the payment */
  originalReference?: string
  /** the merchant's own reference of the payment (`reference` of the /payments request) */
  merchantReference: string
  /** additionalData.chargebackReasonCode and chargebackSchemeCode, trimmed (CHARGEBACK) */
  chargebackReasonCode?: string
  chargebackSchemeCode?: string
  /** riskgate_decision_id / riskgate_charge_id from the payment's metadata (AUTHORISATION) */
  decisionId?: string
  chargeId?: string
}

/** Adyen's pspReference is 16 characters; its test notifications use longer ids like `test_AUTHORISATION_1` */
const PSP_REFERENCE = /^[A-Za-z0-9_-]{1,64}$/
const EVENT_CODE = /^[A-Z][A-Z_]{0,63}$/

function stringOf (value: unknown, max = 128): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined
}

function objectOf (value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
}

/**
 * The `NotificationRequestItem` objects of a delivery (`{"live": "...", "notificationItems": [{"NotificationRequestItem": {...}}]}`),
 * or undefined when the body is not that envelope (no items, too many, an entry without its item).
 */
export function notificationItemsOf (body: unknown): Array<Record<string, unknown>> | undefined {
  const items = objectOf(body)?.notificationItems
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_NOTIFICATION_ITEMS) return undefined
  const out: Array<Record<string, unknown>> = []
  for (const entry of items) {
    const item = objectOf(objectOf(entry)?.NotificationRequestItem)
    if (item === undefined) return undefined
    out.push(item)
  }
  return out
}

/** The fields riskgate needs of one (signature-checked) item, or undefined when it is not a notification item. */
export function parseAdyenNotification (item: Record<string, unknown>): AdyenNotification | undefined {
  const { pspReference, originalReference, merchantReference, eventCode, success } = item
  if (typeof pspReference !== 'string' || !PSP_REFERENCE.test(pspReference)) return undefined
  if (typeof eventCode !== 'string' || !EVENT_CODE.test(eventCode)) return undefined
  if (success !== 'true' && success !== 'false') return undefined
  if (merchantReference !== undefined && (typeof merchantReference !== 'string' || merchantReference.length > 256)) return undefined
  if (originalReference !== undefined && originalReference !== '' && (typeof originalReference !== 'string' || !PSP_REFERENCE.test(originalReference))) return undefined
  const original = typeof originalReference === 'string' && originalReference !== '' ? originalReference : undefined
  const notification: AdyenNotification = {
    id: `${pspReference}:${eventCode}:${success}${original === undefined ? '' : `:${original}`}`,
    eventCode,
    success: success === 'true',
    pspReference,
    merchantReference: merchantReference ?? ''
  }
  if (original !== undefined) notification.originalReference = original
  const additionalData = objectOf(item.additionalData) ?? {}
  const reasonCode = stringOf(additionalData.chargebackReasonCode, 32)?.trim()
  const schemeCode = stringOf(additionalData.chargebackSchemeCode, 32)?.trim().toLowerCase()
  if (reasonCode !== undefined && reasonCode !== '') notification.chargebackReasonCode = reasonCode
  if (schemeCode !== undefined && schemeCode !== '') notification.chargebackSchemeCode = schemeCode
  const decisionId = stringOf(additionalData[METADATA_DECISION_ID], 64)
  const chargeId = stringOf(additionalData[METADATA_CHARGE_ID])
  if (decisionId !== undefined) notification.decisionId = decisionId
  if (chargeId !== undefined) notification.chargeId = chargeId
  return notification
}

/**
 * Chargeback reason codes of the card schemes' fraud categories: the cardholder says they did not
 * make the payment. Visa 10.x (fraud), Mastercard 4837, 4840, 4849, 4863, 4870, 4871, American
 * Express F24, F29, F30, F31, Discover UA01, UA02, UA05, UA06. Such a chargeback is recorded
 * `fraud`, as the Stripe webhook records a dispute whose reason is `fraudulent`.
 */
const FRAUD_REASON_CODES: Readonly<Record<string, ReadonlySet<string>>> = {
  visa: new Set(['10.1', '10.2', '10.3', '10.4', '10.5']),
  mc: new Set(['4837', '4840', '4849', '4863', '4870', '4871']),
  amex: new Set(['F24', 'F29', 'F30', 'F31']),
  discover: new Set(['UA01', 'UA02', 'UA05', 'UA06'])
}

/** the scheme's codes (Adyen's chargebackSchemeCode: `visa`, `mc`, `amex`, `discover`...), or every scheme's when it is not named */
function fraudCodesOf (schemeCode: string | undefined): ReadonlyArray<ReadonlySet<string>> {
  if (schemeCode === undefined) return Object.values(FRAUD_REASON_CODES)
  if (schemeCode.startsWith('visa')) return [FRAUD_REASON_CODES.visa as ReadonlySet<string>]
  if (schemeCode === 'mc' || schemeCode.startsWith('mastercard') || schemeCode.startsWith('maestro')) return [FRAUD_REASON_CODES.mc as ReadonlySet<string>]
  const codes = FRAUD_REASON_CODES[schemeCode]
  return codes === undefined ? [] : [codes]
}

/** whether a chargeback's reason code is one of its scheme's fraud codes */
export function isFraudChargeback (notification: Pick<AdyenNotification, 'chargebackReasonCode' | 'chargebackSchemeCode'>): boolean {
  const code = notification.chargebackReasonCode?.toUpperCase()
  if (code === undefined) return false
  return fraudCodesOf(notification.chargebackSchemeCode).some((codes) => codes.has(code))
}

/**
 * The outcome an item reports, if any (see README "Adyen notifications"):
 * - `AUTHORISATION`, success: `legit` (provisional: a later refund, chargeback or fraud
 *   notification replaces it, it never replaces them); refused (success false): none.
 * - `REFUND`, success: `refund`.
 * - `CHARGEBACK`, success: `chargeback`, or `fraud` when its reason code is a fraud code (as
 *   Stripe's `fraudulent` dispute reason is).
 * - `NOTIFICATION_OF_FRAUD` (the issuer reported the payment as fraud): `fraud`.
 * - any other event code, or success false: none (acknowledged and counted ignored).
 */
export function labelOf (notification: Pick<AdyenNotification, 'eventCode' | 'success' | 'chargebackReasonCode' | 'chargebackSchemeCode'>): OutcomeLabel | undefined {
  if (!notification.success) return undefined
  switch (notification.eventCode) {
    case 'AUTHORISATION':
      return OutcomeLabel.LEGIT
    case 'REFUND':
      return OutcomeLabel.REFUND
    case 'CHARGEBACK':
      return isFraudChargeback(notification) ? OutcomeLabel.FRAUD : OutcomeLabel.CHARGEBACK
    case 'NOTIFICATION_OF_FRAUD':
      return OutcomeLabel.FRAUD
  }
  return undefined
}
