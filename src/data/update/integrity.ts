import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Checks of downloaded bytes against the digest their publisher announces: the npm registry's
 * `dist.integrity` (Subresource Integrity: `sha512-<base64>`, several space-separated hashes
 * allowed) and the SHA-256 that MaxMind publishes beside each archive.
 */
export type IntegrityCheck = { ok: true, algorithm: string } | { ok: false, message: string }

const SRI_ALGORITHMS = ['sha512', 'sha384', 'sha256'] as const

/**
 * Verifies `data` against an SRI string with the strongest algorithm it names (sha512 over sha384
 * over sha256; sha1 and unknown algorithms are not accepted). Any hash of that algorithm
 * matching is enough, as the SRI specification says.
 */
export function checkSri (data: Buffer, integrity: string): IntegrityCheck {
  const hashes = integrity.trim().split(/\s+/).map((token) => {
    const dash = token.indexOf('-')
    return dash === -1 ? undefined : { algorithm: token.slice(0, dash), digest: token.slice(dash + 1).replace(/\?.*$/, '') }
  }).filter((h): h is { algorithm: string, digest: string } => h !== undefined)
  const algorithm = SRI_ALGORITHMS.find((a) => hashes.some((h) => h.algorithm === a))
  if (algorithm === undefined) return { ok: false, message: `no sha512, sha384 or sha256 hash in the announced integrity "${integrity.slice(0, 40)}"` }
  const actual = createHash(algorithm).update(data).digest()
  const matches = hashes.some((h) => {
    if (h.algorithm !== algorithm) return false
    const expected = Buffer.from(h.digest, 'base64')
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  })
  return matches ? { ok: true, algorithm } : { ok: false, message: `the ${algorithm} digest does not match the announced integrity` }
}

/** The first field of a `sha256sum`-style line ("<64 hex>  <file name>"), lower case; undefined when there is none. */
export function parseSha256Line (text: string): string | undefined {
  const match = /^\s*([0-9a-fA-F]{64})(?:\s|$)/.exec(text)
  return match?.[1]?.toLowerCase()
}

export function sha256Hex (data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}
