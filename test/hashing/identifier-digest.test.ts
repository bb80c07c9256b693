import t from 'tap'
import { createHmac } from 'node:crypto'
import { createIdentifierDigest, IDENTIFIER_DIGEST_LENGTH } from '../../src/hashing/identifier-digest.js'

const KEY = 'test-hash-key-identifier-0123456789abcdef'
const reference = (value: string): string => createHmac('sha256', KEY).update(`snapshot\u0000${value}`).digest().subarray(0, 16).toString('base64url')

t.test('an identifier\'s digest is 128 bits of HMAC-SHA256 with the hash key, base64url', async (t) => {
  const digest = createIdentifierDigest(KEY)
  t.equal(digest('198.51.100.1'), reference('198.51.100.1'))
  t.equal(digest('198.51.100.1').length, IDENTIFIER_DIGEST_LENGTH)
  t.equal(createIdentifierDigest(KEY)('a@example.com'), digest('a@example.com'), 'the same for every digest function of the key')
  t.not(createIdentifierDigest('another-key-0123456789abcdef')('a@example.com'), digest('a@example.com'), 'and another with another key')
  t.not(digest('A@example.com'), digest('a@example.com'))
  t.throws(() => createIdentifierDigest(''))
})

t.test('recurring identifiers give the same digest from the cache, beyond its size too; long values are not cached', async (t) => {
  const digest = createIdentifierDigest('test-hash-key-cache-0123456789abcdef-2')
  const ref = (value: string): string => createHmac('sha256', 'test-hash-key-cache-0123456789abcdef-2').update(`snapshot\u0000${value}`).digest().subarray(0, 16).toString('base64url')
  const wrong: string[] = []
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 120_000; i += 7) if (digest(`v${i}`) !== ref(`v${i}`)) wrong.push(`v${i}`)
  }
  t.same(wrong, [], 'every digest is the HMAC, cached or not')
  const long = 'x'.repeat(2000)
  t.equal(digest(long), ref(long))
})
