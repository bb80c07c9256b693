import t from 'tap'
import { createHmac } from 'node:crypto'
import { createKeyedHasher, DigestCache, HashDomain, KEYED_HASH_LENGTH } from '../../src/velocity/keyed-hash.js'

const hasher = createKeyedHasher('test-hash-key-0123456789abcdef')

t.test('128 bits of HMAC-SHA256 over domain and value, base64url', async (t) => {
  const expected = createHmac('sha256', 'test-hash-key-0123456789abcdef').update('entity\u0000198.51.100.1').digest()
    .subarray(0, 16).toString('base64url')
  t.equal(hasher.hash(HashDomain.ENTITY, '198.51.100.1'), expected)
  t.equal(expected.length, KEYED_HASH_LENGTH)
  t.match(expected, /^[A-Za-z0-9_-]{22}$/)
})

t.test('deterministic per key, different across keys, domains and values', async (t) => {
  const a = hasher.hash(HashDomain.VALUE, 'shopper@example.com')
  t.equal(createKeyedHasher('test-hash-key-0123456789abcdef').hash(HashDomain.VALUE, 'shopper@example.com'), a)
  const others = [
    createKeyedHasher('another-key-0123456789abcdef').hash(HashDomain.VALUE, 'shopper@example.com'),
    hasher.hash(HashDomain.ENTITY, 'shopper@example.com'),
    hasher.hash(HashDomain.CHARGE, 'shopper@example.com'),
    hasher.hash(HashDomain.DECISION, 'shopper@example.com'),
    hasher.hash(HashDomain.VALUE, 'Shopper@example.com'),
    hasher.hash(HashDomain.VALUE, '')
  ]
  t.equal(new Set([a, ...others]).size, others.length + 1)
})

t.test('an empty key is refused', async (t) => {
  t.throws(() => createKeyedHasher(''))
})

t.test('recurring identifiers give the same digest from the cache, beyond its size too', async (t) => {
  const fresh = createKeyedHasher('test-hash-key-cache-0123456789abcdef')
  const reference = (domain: string, value: string): string => createHmac('sha256', 'test-hash-key-cache-0123456789abcdef')
    .update(`${domain}\u0000${value}`).digest().subarray(0, 16).toString('base64url')
  const wrong: string[] = []
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 12_000; i += 7) {
      for (const domain of Object.values(HashDomain)) {
        if (fresh.hash(domain, `v${i}`) !== reference(domain, `v${i}`)) wrong.push(`${domain} v${i}`)
      }
    }
  }
  t.same(wrong, [], 'every digest is the HMAC, cached or not')
  const long = 'x'.repeat(2000)
  t.equal(fresh.hash(HashDomain.ENTITY, long), reference('entity', long), 'long values are hashed, not cached')
})

t.test('the digest cache keeps what is in use across generations, and at most two generations', async (t) => {
  const cache = new DigestCache(3)
  for (const id of ['a', 'b', 'c']) cache.set(id, `d-${id}`)
  cache.set('d', 'd-d') // a, b, c become the previous generation
  t.equal(cache.get('a'), 'd-a', 'read from the previous generation, and promoted')
  cache.set('e', 'd-e')
  cache.set('f', 'd-f') // current (d, a, e) is full: it becomes the previous one
  t.equal(cache.get('b'), undefined, 'two generations ago: gone')
  t.equal(cache.get('a'), 'd-a', 'in use: still there')
  t.equal(cache.get('e'), 'd-e')
  t.ok(cache.size <= 2 * 3, 'never more than two generations')
})
