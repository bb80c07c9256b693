import { createHmac } from 'node:crypto'
import type { Identify } from '../../src/velocity/store.js'

/**
 * The `identify` the velocity tests give the stores: HMAC-SHA256 of the path and the value with a
 * test key, 16 bytes in base64url (the service computes its own keyed digests once per request).
 */
export function testIdentify (key = 'test-velocity-identify-key-0123456789'): Identify {
  return (path, value) => createHmac('sha256', key).update(path).update('\0').update(JSON.stringify(value))
    .digest().subarray(0, 16).toString('base64url')
}

export const identify: Identify = testIdentify()
