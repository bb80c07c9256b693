import { createHmac, timingSafeEqual } from 'node:crypto'

export type AdyenSignatureCheck =
  | { ok: true }
  | { ok: false, reason: 'missing_signature' | 'malformed' | 'mismatch' }

/** the fields of a NotificationRequestItem that Adyen signs, as strings */
export interface AdyenSignedFields {
  pspReference: string
  /** empty when the item has none */
  originalReference: string
  merchantAccountCode: string
  merchantReference: string
  value: string
  currency: string
  eventCode: string
  success: string
}

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/

/**
 * What Adyen signs: pspReference, originalReference, merchantAccountCode, merchantReference,
 * amount.value, amount.currency, eventCode and success, joined by `:` (a field the item lacks is an
 * empty string).
 */
export function adyenSigningString (fields: AdyenSignedFields): string {
  return [fields.pspReference, fields.originalReference, fields.merchantAccountCode, fields.merchantReference,
    fields.value, fields.currency, fields.eventCode, fields.success].join(':')
}

/** HMAC-SHA256 of the signing string, keyed with the HMAC key's bytes (the key is given as hex): Adyen's `hmacSignature` (base64). */
export function adyenSignature (key: Buffer, fields: AdyenSignedFields): Buffer {
  return createHmac('sha256', key).update(adyenSigningString(fields), 'utf8').digest()
}

function optionalString (value: unknown): string | undefined {
  if (value === undefined || value === null) return ''
  return typeof value === 'string' ? value : undefined
}

/**
 * The signed fields of a raw item, or undefined when one has the wrong type: the strings as sent (an
 * absent one empty, as Adyen signs it), `amount.value` an integer written in decimal.
 */
export function signedFieldsOf (item: Record<string, unknown>): AdyenSignedFields | undefined {
  const amount = item.amount
  if (amount === null || typeof amount !== 'object' || Array.isArray(amount)) return undefined
  const { value, currency } = amount as Record<string, unknown>
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || typeof currency !== 'string') return undefined
  const strings = {
    pspReference: optionalString(item.pspReference),
    originalReference: optionalString(item.originalReference),
    merchantAccountCode: optionalString(item.merchantAccountCode),
    merchantReference: optionalString(item.merchantReference),
    eventCode: optionalString(item.eventCode),
    success: optionalString(item.success)
  }
  for (const s of Object.values(strings)) if (s === undefined) return undefined
  return { ...strings as Record<keyof typeof strings, string>, value: String(value), currency }
}

/**
 * Checks one NotificationRequestItem's `additionalData.hmacSignature` against every configured HMAC
 * key (two while the operator rotates), in constant time and without an early exit (the time does
 * not tell which key matched).
 */
export function verifyAdyenSignature (item: Record<string, unknown>, keys: readonly Buffer[]): AdyenSignatureCheck {
  const additionalData = item.additionalData
  const signature = additionalData !== null && typeof additionalData === 'object' && !Array.isArray(additionalData)
    ? (additionalData as Record<string, unknown>).hmacSignature
    : undefined
  if (typeof signature !== 'string' || signature === '') return { ok: false, reason: 'missing_signature' }
  if (!BASE64_SHA256.test(signature)) return { ok: false, reason: 'malformed' }
  const fields = signedFieldsOf(item)
  if (fields === undefined) return { ok: false, reason: 'malformed' }
  const given = Buffer.from(signature, 'base64')
  let matched = false
  for (const key of keys) {
    if (timingSafeEqual(adyenSignature(key, fields), given)) matched = true
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' }
}
