import t from 'tap'
import { randomToken } from '../../src/util/random-token.js'

t.test('128 random bits as 22 base64url characters, never the same twice', async (t) => {
  const seen = new Set<string>()
  // several refills of the pool
  for (let i = 0; i < 100_000; i++) seen.add(randomToken())
  t.equal(seen.size, 100_000, 'no token twice in 100,000')
  t.ok([...seen].every((token) => /^[A-Za-z0-9_-]{22}$/.test(token)), 'every token is 22 base64url characters')
  // every bit varies: the 16 bytes decoded, ORed together over the tokens, and ANDed
  let or = Buffer.alloc(16)
  let and = Buffer.alloc(16, 0xff)
  for (const token of seen) {
    const bytes = Buffer.from(token, 'base64url')
    or = Buffer.from(or.map((b, i) => b | (bytes[i] as number)))
    and = Buffer.from(and.map((b, i) => b & (bytes[i] as number)))
  }
  t.ok(or.every((b) => b === 0xff) && and.every((b) => b === 0), 'each of the 128 bits is 0 in some token and 1 in another')
})
