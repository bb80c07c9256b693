import t from 'tap'
import fc from 'fast-check'
import { createHash, createHmac } from 'node:crypto'
import { base64url128 } from '../../src/hashing/base64url.js'
import { createKeyedDigest, createKeyedDigest128 } from '../../src/hashing/keyed-digest.js'
import { sha256, sha256Base64url128 } from '../../src/hashing/sha256.js'

/** Node's own HMAC, the reference: domain, a NUL, value, each UTF-8 */
const reference = (key: string, domain: string, value: string): Buffer =>
  createHmac('sha256', Buffer.from(key, 'utf8')).update(domain).update('\0').update(value).digest()

// text of every kind: ASCII, any code point, and lone surrogates (which UTF-8 writes as U+FFFD)
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', maxLength: 2000 }))
// keys: the documented kind (32+ ASCII characters, at most 64 bytes: the two-hash path), longer
// ones (hashed first by HMAC), and keys with bytes past ASCII (both go through Node's Hmac)
const key = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=_-'), minLength: 1, maxLength: 64 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 64 }),
  fc.string({ minLength: 65, maxLength: 200 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 })
)

t.test('the keyed digest is HMAC-SHA256 of domain NUL value, byte for byte, for any key and text', async (t) => {
  fc.assert(fc.property(key, fc.constantFrom('snapshot', 'body', 'decision', 'alias', 'cursor'), text, (k, domain, value) => {
    const expected = reference(k, domain, value)
    const bytes = createKeyedDigest(k)(domain, value)
    if (!bytes.equals(expected)) throw new Error(`bytes differ for key ${JSON.stringify(k)}`)
    const short = createKeyedDigest128(k)(domain, value)
    if (short !== expected.subarray(0, 16).toString('base64url')) throw new Error(`the 128-bit text differs for key ${JSON.stringify(k)}`)
  }), { numRuns: 2000 })
  t.pass('2,000 keys, domains and values')
})

t.test('one digest function gives the same answers call after call (its buffer is reused)', async (t) => {
  const digest = createKeyedDigest128('test-hash-key-0123456789abcdefghijklmnop')
  const bytes = createKeyedDigest('test-hash-key-0123456789abcdefghijklmnop')
  const first = ['a@example.com', '198.51.100.7', 'fp_1', ''].map((v) => digest('snapshot', v))
  const again = ['a@example.com', '198.51.100.7', 'fp_1', ''].map((v) => digest('snapshot', v))
  t.same(again, first)
  const one = bytes('decision', 'chrg_1')
  const two = bytes('decision', 'chrg_2')
  t.not(one.toString('hex'), two.toString('hex'), 'a Buffer given out is not overwritten by the next digest')
  t.same(one, reference('test-hash-key-0123456789abcdefghijklmnop', 'decision', 'chrg_1'))
  t.throws(() => createKeyedDigest(''), /must not be empty/)
  t.throws(() => createKeyedDigest128(''), /must not be empty/)
})

t.test('base64url128 is the base64url text of the first 16 bytes', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 17, maxLength: 64 }), (bytes) => {
    const whole = Buffer.from(bytes)
    return base64url128(whole.toString('base64url')) === whole.subarray(0, 16).toString('base64url')
  }), { numRuns: 5000 })
  t.pass('5,000 byte strings')
})

t.test('sha256 and its 128-bit text are SHA-256 of the UTF-8 text', async (t) => {
  fc.assert(fc.property(text, (value) => {
    const expected = createHash('sha256').update(value, 'utf8').digest()
    return sha256(value).equals(expected) && sha256Base64url128(value) === expected.subarray(0, 16).toString('base64url')
  }), { numRuns: 2000 })
  t.pass('2,000 texts')
})
