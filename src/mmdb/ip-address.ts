/**
 * IP address text <-> bytes, strict. Shared by the MMDB writer (network keys) and the request-path
 * IP normalizer. Parsers return undefined for anything that is not an address; they never throw.
 *
 * Accepted: dotted-quad IPv4 without leading zeros ("010.1.1.1" is ambiguous and refused) and RFC 4291
 * IPv6 text (hex groups, one "::", an optional dotted IPv4 tail). Refused: zone ids ("%eth0"),
 * brackets, whitespace, CIDR suffixes.
 */

export type IpVersion = 4 | 6

export interface ParsedIp {
  version: IpVersion
  /** 4 bytes for IPv4, 16 for IPv6, network byte order */
  bytes: Uint8Array
}

const MAX_IPV6_TEXT = 45 // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"

/** Parses dotted-quad IPv4 to an unsigned 32-bit number. */
export function parseIPv4Number (text: string): number | undefined {
  const length = text.length
  if (length < 7 || length > 15) return undefined
  let value = 0
  let part = 0
  let digits = 0
  let dots = 0
  let leadingZero = false
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) { // '.'
      if (digits === 0 || dots === 3) return undefined
      value = value * 256 + part
      part = 0
      digits = 0
      dots++
      continue
    }
    if (c < 48 || c > 57) return undefined
    if (digits === 0) leadingZero = c === 48
    else if (leadingZero) return undefined
    part = part * 10 + (c - 48)
    digits++
    if (part > 255) return undefined
  }
  if (dots !== 3 || digits === 0) return undefined
  return value * 256 + part
}

export function parseIPv4 (text: string): Uint8Array | undefined {
  const n = parseIPv4Number(text)
  if (n === undefined) return undefined
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

function hexValue (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/** Parses a colon-separated run of groups ("1:2:3", possibly ending in a dotted IPv4) into 16-bit words. */
function parseGroups (text: string, allowIPv4Tail: boolean, out: number[]): boolean {
  if (text === '') return true
  const parts = text.split(':')
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as string
    if (part.includes('.')) {
      if (!allowIPv4Tail || p !== parts.length - 1) return false
      const v4 = parseIPv4Number(part)
      if (v4 === undefined) return false
      out.push(v4 >>> 16, v4 & 0xffff)
      return true
    }
    if (part.length === 0 || part.length > 4) return false
    let word = 0
    for (let i = 0; i < part.length; i++) {
      const h = hexValue(part.charCodeAt(i))
      if (h < 0) return false
      word = word * 16 + h
    }
    out.push(word)
  }
  return true
}

export function parseIPv6 (text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > MAX_IPV6_TEXT) return undefined
  const gap = text.indexOf('::')
  const head: number[] = []
  const tail: number[] = []
  if (gap === -1) {
    if (!parseGroups(text, true, head) || head.length !== 8) return undefined
  } else {
    if (text.indexOf('::', gap + 1) !== -1) return undefined
    const left = text.slice(0, gap)
    const right = text.slice(gap + 2)
    if (!parseGroups(left, false, head)) return undefined
    if (!parseGroups(right, true, tail)) return undefined
    if (head.length + tail.length > 7) return undefined
  }
  const bytes = new Uint8Array(16)
  for (let i = 0; i < head.length; i++) {
    const word = head[i] as number
    bytes[i * 2] = word >>> 8
    bytes[i * 2 + 1] = word & 0xff
  }
  const start = 8 - tail.length
  for (let i = 0; i < tail.length; i++) {
    const word = tail[i] as number
    bytes[(start + i) * 2] = word >>> 8
    bytes[(start + i) * 2 + 1] = word & 0xff
  }
  return bytes
}

/** Parses an IPv4 or IPv6 address; no unmapping (see normalizeIp for that). */
export function parseIp (text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const bytes = parseIPv6(text)
    return bytes === undefined ? undefined : { version: 6, bytes }
  }
  const bytes = parseIPv4(text)
  return bytes === undefined ? undefined : { version: 4, bytes }
}

export function formatIPv4 (bytes: Uint8Array): string {
  return `${bytes[0] as number}.${bytes[1] as number}.${bytes[2] as number}.${bytes[3] as number}`
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIPv6 (bytes: Uint8Array): string {
  const words: number[] = []
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number))
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLength) { bestStart = i; bestLength = j - i }
    i = j
  }
  if (bestStart === -1) return words.map((w) => w.toString(16)).join(':')
  const left = words.slice(0, bestStart).map((w) => w.toString(16)).join(':')
  const right = words.slice(bestStart + bestLength).map((w) => w.toString(16)).join(':')
  return `${left}::${right}`
}

export function formatIp (ip: ParsedIp): string {
  return ip.version === 4 ? formatIPv4(ip.bytes) : formatIPv6(ip.bytes)
}

/** True when the first `prefixLength` bits of `bytes` equal those of `network`. */
export function bytesMatchPrefix (bytes: Uint8Array, network: Uint8Array, prefixLength: number): boolean {
  const whole = prefixLength >>> 3
  for (let i = 0; i < whole; i++) if (bytes[i] !== network[i]) return false
  const rest = prefixLength & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return (((bytes[whole] as number) ^ (network[whole] as number)) & mask) === 0
}

export interface ParsedCidr extends ParsedIp {
  prefixLength: number
}

/**
 * Parses "a.b.c.d/n" or "x:y::/n"; a bare address is a /32 or /128. Host bits must be zero:
 * "10.0.0.1/8" is refused (returns undefined) rather than silently widened.
 */
export function parseCidr (text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/')
  const address = slash === -1 ? text : text.slice(0, slash)
  const ip = parseIp(address)
  if (ip === undefined) return undefined
  const bits = ip.version === 4 ? 32 : 128
  let prefixLength = bits
  if (slash !== -1) {
    const suffix = text.slice(slash + 1)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(suffix)) return undefined
    prefixLength = Number(suffix)
    if (prefixLength > bits) return undefined
  }
  if (!hostBitsZero(ip.bytes, prefixLength)) return undefined
  return { ...ip, prefixLength }
}

export function hostBitsZero (bytes: Uint8Array, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    if ((((bytes[bit >>> 3] as number) >>> (7 - (bit & 7))) & 1) !== 0) return false
  }
  return true
}

/** The bytes as an unsigned big integer (IPv4: 0..2^32-1, IPv6: 0..2^128-1). */
export function bytesToBigInt (bytes: Uint8Array): bigint {
  let value = 0n
  for (const b of bytes) value = (value << 8n) | BigInt(b)
  return value
}

export function bigIntToBytes (value: bigint, length: 4 | 16): Uint8Array {
  const bytes = new Uint8Array(length)
  let v = value
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return bytes
}
