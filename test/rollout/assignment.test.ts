import t from 'tap'
import fc from 'fast-check'
import type { Features } from '../../src/engine/features.js'
import { createIdentifierDigest } from '../../src/hashing/identifier-digest.js'
import { assignmentValue, bucketOf, BUCKETS, challengerDecides } from '../../src/rollout/assignment.js'
import { AssignBy, formatRolloutSetting, parseRolloutSetting, RolloutMode, SHADOW_ROLLOUT } from '../../src/rollout/rollout.js'
import type { Rollout } from '../../src/rollout/rollout.js'

const digestOf = createIdentifierDigest('test-hash-key-rollout-assignment-0123456789')

function features (customer: string | undefined, card: string | undefined): Features {
  return {
    amount: 1000,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: {},
    ip: { address: '203.0.113.10', version: 4, is_private: false },
    customer: customer === undefined ? {} : { id: customer },
    ...(card === undefined ? {} : { card: { fingerprint: card } })
  }
}

const enforce = (percent: number, by: AssignBy = AssignBy.CUSTOMER): Rollout => ({ mode: RolloutMode.ENFORCE, percent, by })
const identifier = fc.string({ minLength: 1, maxLength: 40 })

t.test('the same identifier always gets the same rule set', async (t) => {
  fc.assert(fc.property(identifier, fc.integer({ min: 1, max: 100 }), (customer, percent) => {
    const first = challengerDecides(enforce(percent), features(customer, undefined), digestOf)
    // a fresh digest function of the same key, another charge of the same customer with another card
    const again = challengerDecides(enforce(percent), features(customer, 'fp_other'), createIdentifierDigest('test-hash-key-rollout-assignment-0123456789'))
    return first === again
  }), { numRuns: 500 })
})

t.test('raising the percent only adds identifiers to the challenger\'s share', async (t) => {
  fc.assert(fc.property(identifier, fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), (customer, a, b) => {
    const [low, high] = a <= b ? [a, b] : [b, a]
    const f = features(customer, undefined)
    return !challengerDecides(enforce(low), f, digestOf) || challengerDecides(enforce(high), f, digestOf)
  }), { numRuns: 500 })
})

t.test('over many identifiers the challenger\'s share converges to the percent', async (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 1_000_000 }), (percent, seed) => {
    const n = 20_000
    let decided = 0
    for (let i = 0; i < n; i++) if (challengerDecides(enforce(percent), features(`cus_${seed}_${i}`, undefined), digestOf)) decided++
    // a binomial share: 5 standard deviations at most (about 0.35 points at 50%)
    const p = percent / 100
    return Math.abs(decided / n - p) <= 5 * Math.sqrt(p * (1 - p) / n)
  }), { numRuns: 15 })
  const all = Array.from({ length: 5000 }, (_, i) => features(`cus_all_${i}`, undefined))
  t.ok(all.every((f) => challengerDecides(enforce(100), f, digestOf)), '100 percent: every identified charge')
})

t.test('buckets are uniform over the digests of identifiers', async (t) => {
  const counts = new Array<number>(BUCKETS).fill(0)
  const n = 100_000
  for (let i = 0; i < n; i++) { const b = bucketOf(digestOf(`card_${i}`)); counts[b] = (counts[b] ?? 0) + 1 }
  // chi-square with 99 degrees of freedom: 160 is beyond its 99.99th percentile
  const expected = n / BUCKETS
  const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0)
  t.ok(chi < 160, `chi-square ${chi.toFixed(1)}`)
  t.throws(() => bucketOf('ab{}'), TypeError, 'a digest is base64url')
})

t.test('by customer.id or card.fingerprint, falling back to the other, then to the live set', async (t) => {
  t.equal(assignmentValue(features('cus_1', 'fp_1'), AssignBy.CUSTOMER), 'cus_1')
  t.equal(assignmentValue(features('cus_1', 'fp_1'), AssignBy.CARD), 'fp_1')
  t.equal(assignmentValue(features(undefined, 'fp_1'), AssignBy.CUSTOMER), 'fp_1', 'no customer: the card')
  t.equal(assignmentValue(features('cus_1', undefined), AssignBy.CARD), 'cus_1', 'no card: the customer')
  t.equal(assignmentValue(features('', ''), AssignBy.CARD), undefined, 'empty values are no identifier')
  t.equal(assignmentValue(features(undefined, undefined), AssignBy.CUSTOMER), undefined)
  t.notOk(challengerDecides(enforce(100), features(undefined, undefined), digestOf), 'without an identifier the live set decides, even at 100%')
  fc.assert(fc.property(identifier, fc.option(identifier, { nil: undefined }), (customer, card) => {
    // by card, a charge without a card goes by its customer: the same share as by customer
    return challengerDecides(enforce(37, AssignBy.CARD), features(customer, undefined), digestOf) ===
      challengerDecides(enforce(37, AssignBy.CUSTOMER), features(customer, card), digestOf)
  }))
})

t.test('a shadow challenger decides no charge; nothing is hashed for it', async (t) => {
  let hashed = 0
  const counting = (value: string): string => { hashed++; return digestOf(value) }
  fc.assert(fc.property(identifier, identifier, (customer, card) => !challengerDecides(SHADOW_ROLLOUT, features(customer, card), counting)))
  t.equal(hashed, 0)
})

t.test('RISKGATE_CHALLENGER_ROLLOUT: shadow or enforce:<percent>[:<by>], and back', async (t) => {
  t.same(parseRolloutSetting('shadow'), { mode: 'shadow' })
  t.same(parseRolloutSetting('enforce:10'), { mode: 'enforce', percent: 10, by: 'customer.id' })
  t.same(parseRolloutSetting('enforce:100:card.fingerprint'), { mode: 'enforce', percent: 100, by: 'card.fingerprint' })
  for (const bad of ['', 'enforce', 'enforce:0', 'enforce:101', 'enforce:5:email', 'shadow:5', 'Shadow', 'enforce:05']) t.equal(parseRolloutSetting(bad), undefined, bad)
  fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.constantFrom(AssignBy.CUSTOMER, AssignBy.CARD), (percent, by) => {
    const rollout = enforce(percent, by)
    return JSON.stringify(parseRolloutSetting(formatRolloutSetting(rollout))) === JSON.stringify(rollout)
  }))
})
