import t from 'tap'
import fc from 'fast-check'
import { contextIdOf, createRecordContext, decodeRecord, encodeRecord, parseContext, serializeContext } from '../../src/decision-log/codec.js'
import type { RecordInput } from '../../src/decision-log/codec.js'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import type { Features } from '../../src/engine/features.js'
import type { Decision } from '../../src/schemas/decision.js'

const digestOf = createSnapshotHash('test-hash-key-codec-rollout-0123456789ab')
const DATA = { country: '2026-06-17T19:51:40.000Z', asn: '2026-06-17T19:00:00.000Z' }
const LIVE = { version: 'live.1', hash: 'a'.repeat(64) }
const CHALLENGER = { version: 'challenger.1', hash: 'b'.repeat(64) }
const LIVE_RULES = ['tor_exit', 'hosting_ip', 'big_amount']
const CHALLENGER_RULES = ['tor_exit', 'big_amount_block', 'email_repeat']
const COUNTERS = ['ip_1h', 'email_1h']

const decidedByLive = createRecordContext(LIVE, DATA, COUNTERS, LIVE_RULES, { role: 'challenger', ...CHALLENGER, rules: CHALLENGER_RULES, mode: 'enforce' })
const decidedByChallenger = createRecordContext(CHALLENGER, DATA, COUNTERS, CHALLENGER_RULES, { role: 'live', ...LIVE, rules: LIVE_RULES, mode: 'enforce' })
const plain = createRecordContext(LIVE, DATA, ['ip_1h'], LIVE_RULES)

const features: Features = {
  amount: 125_000,
  currency: 'THB',
  item_count: 0,
  items: [],
  metadata: {},
  ip: { address: '1.128.0.10', version: 4, is_private: false, country: 'AU', asn: 1221 },
  email: { address: 'somchai@example.co.th', domain: 'example.co.th', is_disposable: false },
  card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: 'fp_abc' },
  velocity: { ip_1h: 3, email_1h: 2 },
  customer: { id: 'cus_1' }
}

function input (decision: Decision, fired: string[], other?: RecordInput['other']): RecordInput {
  return {
    chargeId: 'ch_1',
    atMs: Date.parse('2026-12-01T10:00:00.000Z'),
    features,
    decision,
    score: 60,
    fired,
    shadow: { decision, score: 60, fired: [] },
    skipped: [],
    degraded: [],
    ...(other !== undefined ? { other } : {})
  }
}

t.test('a record keeps what the other set of a rollout decided, by its context', async (t) => {
  const encoded = encodeRecord(input('review', ['big_amount'], { decision: 'block', score: 90, fired: ['big_amount_block', 'not_in_the_set'] }), decidedByLive, digestOf)
  const record = decodeRecord(encoded, 'd-1', decidedByLive, {})
  t.same(record.rollout, {
    decided_by: 'live',
    mode: 'enforce',
    live: { ...LIVE, decision: 'review', score: 60, fired: ['big_amount'] },
    challenger: { ...CHALLENGER, decision: 'block', score: 90, fired: ['big_amount_block', 'not_in_the_set'] }
  })
  t.same(record.ruleset, LIVE, 'ruleset is the set that decided')
  t.same(record.features.velocity, { ip_1h: 3, email_1h: 2 }, 'the counters of both sets')

  const byChallenger = decodeRecord(encodeRecord(input('block', ['big_amount_block'], { decision: 'review', score: 60, fired: ['big_amount'] }), decidedByChallenger, digestOf), 'd-2', decidedByChallenger, {})
  t.equal(byChallenger.rollout?.decided_by, 'challenger')
  t.same(byChallenger.ruleset, CHALLENGER)
  t.same(byChallenger.rollout?.live, { ...LIVE, decision: 'review', score: 60, fired: ['big_amount'] })
  t.same(byChallenger.rollout?.challenger, { ...CHALLENGER, decision: 'block', score: 60, fired: ['big_amount_block'] })

  // the context travels through the store as text
  const reread = parseContext(serializeContext(decidedByLive))
  t.same(decodeRecord(encoded, 'd-1', reread, {}).rollout, record.rollout)
  t.equal(contextIdOf(encoded), decidedByLive.id)
  t.not(decidedByLive.id, decidedByChallenger.id)
  t.not(decidedByLive.id, plain.id)
  t.equal(plain.other, undefined)
  t.notOk(serializeContext(plain).includes('other'), 'a context without a challenger is as before')

  const without = decodeRecord(encodeRecord(input('review', ['big_amount']), plain, digestOf), 'd-3', plain, {})
  t.equal(without.rollout, undefined)
  t.notOk('rollout' in without)
  const lost = decodeRecord(encoded, 'd-1', undefined, {})
  t.equal(lost.rollout, undefined, 'without its context a record says nothing of a rollout')
})

t.test('what a rollout adds to a record at rest: the other set\'s decision, score and fired rules by place', async (t) => {
  fc.assert(fc.property(fc.constantFrom<Decision>('allow', 'review', 'block'), fc.integer({ min: 0, max: 100 }), fc.subarray(CHALLENGER_RULES), (decision, score, fired) => {
    const withOther = encodeRecord(input('review', ['big_amount'], { decision, score, fired }), decidedByLive, digestOf)
    const alone = encodeRecord(input('review', ['big_amount']), decidedByLive, digestOf)
    // in packed text, [<decision>, <score>, [<places>]]: an array's tag, the decision, the score
    // (one character under 64, two from 64), the places' array tag, and one character a place
    const added = withOther.length - alone.length
    return added === 3 + (score < 64 ? 1 : 2) + fired.length
  }))
})
