import { createHash, timingSafeEqual } from 'node:crypto'

export type BasicAuthCheck =
  | { ok: true }
  | { ok: false, reason: 'missing' | 'malformed' | 'mismatch' }

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i

/** a fixed-length digest: the comparison takes the same time whatever the lengths */
const digest = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest()

/**
 * Checks the `Authorization: Basic <base64 of user:password>` header Adyen sends (the username and
 * password set for the webhook in Adyen's Customer Area) against `expected` (`user:password`,
 * RISKGATE_ADYEN_BASIC_AUTH), compared in constant time through digests of both.
 */
export function verifyBasicAuth (header: string | undefined, expected: string): BasicAuthCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' }
  const match = BASIC.exec(header)
  if (match === null) return { ok: false, reason: 'malformed' }
  const given = Buffer.from(match[1] as string, 'base64')
  return timingSafeEqual(digest(given), digest(expected)) ? { ok: true } : { ok: false, reason: 'mismatch' }
}
