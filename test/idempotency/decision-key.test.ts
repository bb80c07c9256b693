import t from 'tap'
import fc from 'fast-check'
import { createDecisionKeys, decisionIdOfField } from '../../src/idempotency/decision-key.js'

const keys = createDecisionKeys('test-hash-key-decision-key-0123456789ab', 8)
const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('a charge id has one decision id, a UUID of version 8, found again from the id alone', async (t) => {
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 128 }), (chargeId) => {
    const key = keys.ofCharge(chargeId)
    t.match(key.decisionId, UUID_V8, 'UUID v8', { diagnostic: false })
    t.same(keys.ofCharge(chargeId), key, 'stable', { diagnostic: false })
    t.same(keys.ofDecisionId(key.decisionId), key, 'the decision id finds the same place', { diagnostic: false })
    t.equal(decisionIdOfField(key.field), key.decisionId, { diagnostic: false })
    t.match(key.field, /^[A-Za-z0-9_-]{22}$/, { diagnostic: false })
    t.ok(key.partition >= 0 && key.partition < 8, { diagnostic: false })
  }), { numRuns: 500 })
})

t.test('decision ids depend on the hash key and differ between charges', async (t) => {
  const other = createDecisionKeys('another-hash-key-0123456789abcdef', 8)
  t.not(other.ofCharge('ch_1').decisionId, keys.ofCharge('ch_1').decisionId)
  const ids = new Set(Array.from({ length: 10_000 }, (_, i) => keys.ofCharge(`ch_${i}`).decisionId))
  t.equal(ids.size, 10_000)
  const partitions = new Set(Array.from({ length: 200 }, (_, i) => keys.ofCharge(`ch_${i}`).partition))
  t.equal(partitions.size, 8, 'charges spread over every partition')
})

t.test('ids of another shape are not decision ids', async (t) => {
  for (const id of ['dec_1', '', 'f1f785e8-6412-4c82-85fd-f32962b12f0c', 'F1F785E8-6412-8C82-85FD-F32962B12F0C', `${keys.ofCharge('x').decisionId}0`]) {
    t.equal(keys.ofDecisionId(id), undefined, JSON.stringify(id))
  }
  t.throws(() => createDecisionKeys('k', 0), RangeError)
})
