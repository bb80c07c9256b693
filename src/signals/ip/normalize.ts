import { ErrorCode, RiskgateError } from '../../errors.js'
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../mmdb/ip-address.js'
import type { IpVersion } from '../../mmdb/ip-address.js'
import { specialRange } from './special-ranges.js'
import type { SpecialRangeName } from './special-ranges.js'

export interface NormalizedIp {
  ok: true
  /** canonical text: dotted quad, or RFC 5952 IPv6; IPv4-mapped IPv6 is unmapped to IPv4 */
  address: string
  version: IpVersion
  /** 4 or 16 bytes, network order */
  bytes: Uint8Array
  /** private, loopback, reserved...: such an address is never looked up */
  isPrivate: boolean
  /** which special-purpose range, when isPrivate */
  range?: SpecialRangeName
}

export interface InvalidIp {
  ok: false
  /** safe to show to the API client (the input is never echoed) */
  reason: string
}

export type NormalizeIpResult = NormalizedIp | InvalidIp

const MAX_INPUT = 64

/**
 * Validates and normalizes the shopper's IP. Never throws: an invalid address gives `{ ok: false }`,
 * which the route turns into a 400 (see invalidIpError). `::ffff:a.b.c.d` becomes `a.b.c.d`.
 */
export function normalizeIp (input: string): NormalizeIpResult {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, reason: 'ip is empty' }
  if (input.length > MAX_INPUT) return { ok: false, reason: 'ip is too long to be an address' }
  if (input.includes('%')) return { ok: false, reason: 'ip must not carry an IPv6 zone id' }
  if (input.includes('/')) return { ok: false, reason: 'ip must be one address, not a network' }
  if (!input.includes(':')) {
    const bytes = parseIPv4(input)
    if (bytes === undefined) return { ok: false, reason: 'ip is not a valid IPv4 or IPv6 address' }
    return result(bytes, 4)
  }
  const bytes = parseIPv6(input)
  if (bytes === undefined) return { ok: false, reason: 'ip is not a valid IPv4 or IPv6 address' }
  if (isIPv4Mapped(bytes)) return result(bytes.slice(12), 4)
  return result(bytes, 6)
}

function isIPv4Mapped (bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return bytes[10] === 0xff && bytes[11] === 0xff
}

function result (bytes: Uint8Array, version: IpVersion): NormalizedIp {
  const range = specialRange(bytes)
  const out: NormalizedIp = {
    ok: true,
    address: version === 4 ? formatIPv4(bytes) : formatIPv6(bytes),
    version,
    bytes,
    isPrivate: range !== undefined
  }
  if (range !== undefined) out.range = range
  return out
}

/** The 400 error for an invalid `ip` field, in the API's error shape. */
export function invalidIpError (invalid: InvalidIp, path = '/ip'): RiskgateError {
  return new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'request validation failed', [{ path, message: invalid.reason }])
}
