import t from 'tap'
import fc from 'fast-check'
import { canonicalJson, createBodyFingerprint, sameBody } from '../../src/idempotency/fingerprint.js'
import { createKeyedDigest128 } from '../../src/hashing/keyed-digest.js'

const fingerprint = createBodyFingerprint('test-hash-key-fingerprint-0123456789ab')

function shuffled (value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, random))
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  entries.sort(() => random() - 0.5)
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffled(v, random)]))
}

t.test('the same body in any key order has one fingerprint', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), fc.integer(), (body, seed) => {
    let s = seed
    const random = (): number => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s / 0x7fffffff }
    t.equal(fingerprint(shuffled(body, random)), fingerprint(body), { diagnostic: false })
    t.same(JSON.parse(canonicalJson(body)), JSON.parse(JSON.stringify(body)), 'canonical JSON says the same', { diagnostic: false })
  }), { numRuns: 300 })
})

t.test('any change of any field changes the fingerprint', async (t) => {
  const body = { charge_id: 'ch_1', amount: 100, currency: 'THB', ip: '8.8.8.8', card: { bin: '424242', last4: '4242' }, items: [{ sku: 'a', quantity: 1 }] }
  const base = fingerprint(body)
  const variants = [
    { ...body, amount: 101 },
    { ...body, ip: '8.8.4.4' },
    { ...body, card: { ...body.card, last4: '4243' } },
    { ...body, items: [{ sku: 'a', quantity: 2 }] },
    { ...body, items: [] },
    { ...body, email: 'a@b.co' },
    { ...body, amount: '100' }
  ]
  for (const variant of variants) t.not(fingerprint(variant), base, JSON.stringify(variant))
  t.match(base, /^[A-Za-z0-9_-]{12}$/)
  t.not(createBodyFingerprint('another-key-0123456789abcdef')(body), base, 'keyed: nothing of the body can be tested without the key')
})

t.test('a fingerprint is the first 12 characters of the 22 that earlier versions stored, and matches them', async (t) => {
  const key = 'test-hash-key-fingerprint-0123456789ab'
  const earlier = createKeyedDigest128(key)
  fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (body, other) => {
    const stored = earlier('body', canonicalJson(body))
    t.equal(stored.length, 22, { diagnostic: false })
    t.equal(fingerprint(body), stored.slice(0, 12), { diagnostic: false })
    t.ok(sameBody(stored, fingerprint(body)), 'a stored 22-character fingerprint of the body', { diagnostic: false })
    t.ok(sameBody(fingerprint(body), fingerprint(body)), { diagnostic: false })
    t.ok(sameBody(fingerprint(body), stored), 'a stored 12-character fingerprint, by an instance that computes 22', { diagnostic: false })
    t.notOk(sameBody(fingerprint(body).slice(0, 11), stored), 'nothing shorter than 12 characters', { diagnostic: false })
    if (canonicalJson(other) !== canonicalJson(body)) {
      t.notOk(sameBody(stored, fingerprint(other)), 'of another body', { diagnostic: false })
      t.notOk(sameBody(fingerprint(other), stored), { diagnostic: false })
      t.notOk(sameBody(fingerprint(body), fingerprint(other)), { diagnostic: false })
    }
  }), { numRuns: 300 })
})

t.test('a charge body walked by its schema\'s shape gives the same text as sorting every object', async (t) => {
  const { ChargeContextSchema } = await import('../../src/schemas/charge.js')
  const { generateCharges } = await import('../helpers/recorded-decisions.js')
  const { shapeOf } = await import('../../src/idempotency/fingerprint.js')
  const shape = shapeOf(ChargeContextSchema)
  t.ok(shape !== undefined && shape.keys.includes('charge_id') && shape.children.card !== undefined && shape.children.items !== undefined)
  t.equal(shape?.children.metadata, undefined, 'metadata is open: its keys are sorted per body')
  for (const body of generateCharges(500, 3)) {
    t.equal(canonicalJson(body, shape), canonicalJson(body), body.charge_id, { diagnostic: false })
  }
  const withMetadata = { charge_id: 'x', amount: 1, currency: 'THB', ip: '1.1.1.1', metadata: { z: 1, a: 'b' } }
  t.equal(canonicalJson(withMetadata, shape), '{"amount":1,"charge_id":"x","currency":"THB","ip":"1.1.1.1","metadata":{"a":"b","z":1}}')
})
