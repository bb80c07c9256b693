import { createKeyedDigest } from '../hashing/keyed-digest.js'

/**
 * JSON with every object's keys sorted: two bodies that say the same thing (whatever the order of
 * their fields) give the same text. Values are JSON values (a parsed request body).
 */
export function canonicalJson (value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i])
    return out + ']'
  }
  const keys = Object.keys(value).sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const v = (value as Record<string, unknown>)[key]
    if (v === undefined) continue
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(v)
    first = false
  }
  return out + '}'
}

/**
 * The fingerprint of a request body: a keyed hash (22 base64url characters) of its canonical JSON.
 * Stored with the decision, so that a retry of a charge id with another body (any field) is told
 * apart from a retry of the same request; it reveals nothing of the body without the hash key.
 */
export type BodyFingerprint = (body: unknown) => string

export function createBodyFingerprint (hashKey: string): BodyFingerprint {
  const digest = createKeyedDigest(hashKey)
  return (body) => digest('body', canonicalJson(body)).subarray(0, 16).toString('base64url')
}
