import type { DigestOf } from '../decision-log/codec.js'
import { IdentifierKind } from '../decision-log/store.js'
import type { SearchQuery } from '../decision-log/store.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { scrubCardNumbers } from '../security/scrub-card-numbers.js'
import { normalizeEmailAddress } from '../signals/email.js'
import { normalizeIp } from '../signals/ip/normalize.js'

export type IdentifierQuery = Partial<Record<IdentifierKind, string>>

const EMAIL = /^[^@\s]+@[^@\s]+$/

function invalid (path: string, message: string): RiskgateError {
  return new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'the request does not match the schema', [{ path: `/${path}`, message }])
}

/**
 * An identifier as scoring keys it before hashing (src/scoring/normalize-charge.ts and the signal
 * modules): card numbers scrubbed from the email, fingerprint and customer id; the email trimmed
 * and lower-cased; the IP in its canonical text (an IPv4-mapped IPv6 address as IPv4). Errors
 * never quote the value.
 */
export function normalizeIdentifier (kind: IdentifierKind, raw: string): string {
  switch (kind) {
    case IdentifierKind.EMAIL: {
      const trimmed = raw.trim()
      if (!EMAIL.test(trimmed)) throw invalid(kind, 'must be an email address (local@domain)')
      return normalizeEmailAddress(scrubCardNumbers(trimmed))
    }
    case IdentifierKind.IP: {
      const ip = normalizeIp(raw.trim())
      if (!ip.ok) throw invalid(kind, ip.reason)
      return ip.address
    }
    default:
      return scrubCardNumbers(raw)
  }
}

/**
 * The identifier filter of a search, as its keyed digest (the raw value goes no further than
 * this function: it is neither stored nor logged). One identifier filter a request.
 */
export function identifierFilter (query: IdentifierQuery, digestOf: DigestOf): SearchQuery['identifier'] {
  const given = Object.values(IdentifierKind).filter((kind) => query[kind] !== undefined)
  if (given.length === 0) return undefined
  if (given.length > 1) {
    throw new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'one identifier filter a request: email, ip, card_fingerprint or customer_id',
      given.map((kind) => ({ path: `/${kind}`, message: 'only one identifier filter may be given' })))
  }
  const kind = given[0] as IdentifierKind
  return { kind, digest: digestOf(normalizeIdentifier(kind, query[kind] as string)) }
}
