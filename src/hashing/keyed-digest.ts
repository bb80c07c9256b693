import { createHmac, createSecretKey } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/**
 * HMAC-SHA256 with RISKGATE_HASH_KEY, the one keyed hash of riskgate: `domain` is part of the
 * hashed input, so the same string hashed for two purposes gives two unrelated digests. Without the
 * key, a digest cannot be tested against guessed identifiers.
 */
export type KeyedDigest = (domain: string, value: string) => Buffer

export function createKeyedDigest (hashKey: string): KeyedDigest {
  if (hashKey.length === 0) throw new Error('the hash key must not be empty')
  const key: KeyObject = createSecretKey(Buffer.from(hashKey, 'utf8'))
  return (domain, value) => createHmac('sha256', key).update(domain).update('\0').update(value).digest()
}
