import { createHmac, timingSafeEqual } from 'node:crypto'

/** Omise's webhook signature headers (lower case, as Node gives them). */
export const OMISE_SIGNATURE_HEADER = 'omise-signature'
export const OMISE_TIMESTAMP_HEADER = 'omise-signature-timestamp'

/**
 * How far the signed timestamp may be from now: 5 minutes either way. An older request is a
 * replay or a very late retry; Omise signs each delivery attempt anew.
 */
export const OMISE_TIMESTAMP_TOLERANCE_SECONDS = 300

/** at most this many signatures are read from the header (two during a secret rotation) */
const MAX_SIGNATURES = 8
const HEX_SHA256 = /^[0-9a-f]{64}$/i
const TIMESTAMP = /^[0-9]{1,12}$/

export type SignatureCheck =
  | { ok: true }
  | { ok: false, reason: 'missing_signature' | 'missing_timestamp' | 'malformed' | 'mismatch' | 'stale' }

export interface SignatureInput {
  /** the raw request body, byte for byte */
  body: Buffer
  signature: string | undefined
  timestamp: string | undefined
  /** the webhook secrets, base64-decoded (RISKGATE_OMISE_WEBHOOK_SECRETS) */
  secrets: readonly Buffer[]
  nowSeconds: number
  toleranceSeconds?: number
}

/** HMAC-SHA256 of `<timestamp>.<raw body>` keyed with the decoded secret: Omise's signature scheme. */
export function omiseSignature (secret: Buffer, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
}

/**
 * Checks an Omise webhook: `Omise-Signature` holds one or more comma-separated hex HMACs (several
 * while Omise rotates the secret), any of which may match any configured secret (two while the
 * operator rotates). Compared in constant time. The signature is checked before the timestamp's
 * age, so an unsigned request learns nothing but "invalid".
 */
export function verifyOmiseSignature (input: SignatureInput): SignatureCheck {
  const { signature, timestamp } = input
  if (signature === undefined || signature.trim() === '') return { ok: false, reason: 'missing_signature' }
  if (timestamp === undefined || timestamp.trim() === '') return { ok: false, reason: 'missing_timestamp' }
  const ts = timestamp.trim()
  if (!TIMESTAMP.test(ts)) return { ok: false, reason: 'malformed' }
  const given = signature.split(',').slice(0, MAX_SIGNATURES).map((s) => s.trim()).filter((s) => HEX_SHA256.test(s)).map((s) => Buffer.from(s, 'hex'))
  if (given.length === 0) return { ok: false, reason: 'malformed' }

  let matched = false
  for (const secret of input.secrets) {
    const expected = omiseSignature(secret, ts, input.body)
    for (const candidate of given) {
      // every pair is compared: no early exit that would time which one matched
      if (timingSafeEqual(expected, candidate)) matched = true
    }
  }
  if (!matched) return { ok: false, reason: 'mismatch' }
  const tolerance = input.toleranceSeconds ?? OMISE_TIMESTAMP_TOLERANCE_SECONDS
  if (Math.abs(input.nowSeconds - Number(ts)) > tolerance) return { ok: false, reason: 'stale' }
  return { ok: true }
}
