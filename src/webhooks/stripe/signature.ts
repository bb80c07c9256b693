import { createHmac, timingSafeEqual } from 'node:crypto'

/** Stripe's webhook signature header (lower case, as Node gives it). */
export const STRIPE_SIGNATURE_HEADER = 'stripe-signature'

/** How far the signed timestamp may be from now: 5 minutes either way, Stripe's own default tolerance. */
export const STRIPE_TIMESTAMP_TOLERANCE_SECONDS = 300

/** at most this many `v1` signatures are read from the header (Stripe sends two while it rolls a secret) */
const MAX_SIGNATURES = 8
const HEX_SHA256 = /^[0-9a-f]{64}$/i
const TIMESTAMP = /^[0-9]{1,12}$/

export type StripeSignatureCheck =
  | { ok: true }
  | { ok: false, reason: 'missing_signature' | 'malformed' | 'mismatch' | 'stale' }

export interface StripeSignatureInput {
  /** the raw request body, byte for byte */
  body: Buffer
  /** the Stripe-Signature header */
  header: string | undefined
  /** the endpoint secrets (`whsec_...`), used as HMAC keys exactly as written (RISKGATE_STRIPE_WEBHOOK_SECRETS) */
  secrets: readonly string[]
  nowSeconds: number
  toleranceSeconds?: number
}

/** HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint secret string: Stripe's `v1` scheme. */
export function stripeSignature (secret: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest()
}

/**
 * Checks a Stripe webhook: `Stripe-Signature` is `t=<unix seconds>,v1=<hex>[,v1=<hex>...][,v0=...]`.
 * Only `v1` signatures count (v0 is Stripe's test-mode legacy scheme, ignored); any of them may
 * match any configured secret (two while the operator rotates). Compared in constant time. The
 * signature is checked before the timestamp's age, so an unsigned request learns nothing but
 * "invalid".
 */
export function verifyStripeSignature (input: StripeSignatureInput): StripeSignatureCheck {
  const header = input.header
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing_signature' }
  let timestamp: string | undefined
  const given: Buffer[] = []
  for (const part of header.split(',')) {
    const at = part.indexOf('=')
    if (at <= 0) continue
    const name = part.slice(0, at).trim()
    const value = part.slice(at + 1).trim()
    if (name === 't') timestamp ??= value
    else if (name === 'v1' && given.length < MAX_SIGNATURES && HEX_SHA256.test(value)) given.push(Buffer.from(value, 'hex'))
  }
  if (timestamp === undefined || !TIMESTAMP.test(timestamp) || given.length === 0) return { ok: false, reason: 'malformed' }

  let matched = false
  for (const secret of input.secrets) {
    const expected = stripeSignature(secret, timestamp, input.body)
    for (const candidate of given) {
      // every pair is compared: no early exit that would time which one matched
      if (timingSafeEqual(expected, candidate)) matched = true
    }
  }
  if (!matched) return { ok: false, reason: 'mismatch' }
  const tolerance = input.toleranceSeconds ?? STRIPE_TIMESTAMP_TOLERANCE_SECONDS
  if (Math.abs(input.nowSeconds - Number(timestamp)) > tolerance) return { ok: false, reason: 'stale' }
  return { ok: true }
}
