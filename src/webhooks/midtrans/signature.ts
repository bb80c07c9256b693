import { createHash, timingSafeEqual } from 'node:crypto'

const HEX_SHA512 = /^[0-9a-f]{128}$/i

export type MidtransSignatureCheck =
  | { ok: true }
  | { ok: false, reason: 'missing_signature' | 'malformed' | 'mismatch' }

export interface MidtransSignatureInput {
  orderId: string
  statusCode: string
  /** as Midtrans sends it, a string with two decimals (`"10000.00"`) */
  grossAmount: string
  /** the notification's `signature_key` */
  signature: unknown
  /** RISKGATE_MIDTRANS_SERVER_KEYS (two while the operator rotates) */
  serverKeys: readonly string[]
}

/** SHA-512 of `order_id + status_code + gross_amount + server key`: Midtrans' notification signature. */
export function midtransSignature (orderId: string, statusCode: string, grossAmount: string, serverKey: string): Buffer {
  return createHash('sha512').update(`${orderId}${statusCode}${grossAmount}${serverKey}`, 'utf8').digest()
}

/**
 * Checks a Midtrans notification's `signature_key` against every configured server key, in
 * constant time and without an early exit (the time does not tell which key matched).
 */
export function verifyMidtransSignature (input: MidtransSignatureInput): MidtransSignatureCheck {
  const { signature } = input
  if (typeof signature !== 'string' || signature === '') return { ok: false, reason: 'missing_signature' }
  if (!HEX_SHA512.test(signature)) return { ok: false, reason: 'malformed' }
  const given = Buffer.from(signature, 'hex')
  let matched = false
  for (const key of input.serverKeys) {
    if (timingSafeEqual(midtransSignature(input.orderId, input.statusCode, input.grossAmount, key), given)) matched = true
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' }
}
