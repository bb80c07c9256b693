import { randomFillSync } from 'node:crypto'

/** random bytes drawn ahead, as crypto.randomUUID keeps them: one fill a few hundred tokens */
const POOL_BYTES = 4096
const TOKEN_BYTES = 16
const pool = Buffer.allocUnsafeSlow(POOL_BYTES)
let offset = POOL_BYTES

/**
 * 128 random bits (the CSPRNG of node:crypto) as 22 base64url characters: an attempt's nonce, a
 * value compared and never parsed. It costs one string; crypto.randomUUID builds its 36
 * characters from 20 pieces, about 600 bytes of garbage a call.
 */
export function randomToken (): string {
  if (offset + TOKEN_BYTES > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const at = offset
  offset += TOKEN_BYTES
  return pool.toString('base64url', at, at + TOKEN_BYTES)
}
