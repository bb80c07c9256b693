import t from 'tap'
import { createRecordContext, decodeRecord, encodeRecord } from '../../src/decision-log/codec.js'
import { indexEntry } from '../../src/decision-log/index-entry.js'
import { evaluate } from '../../src/engine/evaluate.js'
import type { Features } from '../../src/engine/features.js'
import { createSnapshotHash, hashLists } from '../../src/decision-log/snapshot.js'
import { compileOk, features, ruleSetText } from '../helpers/rule-engine.js'

const hash = createSnapshotHash('test-hash-key-0123456789abcdef0123456789')

function fullFeatures (): Features {
  return features({
    description: 'gift card',
    metadata: { order: 'o_1', vip: true },
    items: [{ sku: 'gc', name: 'Gift card', quantity: 2, unit_price: 5000 }],
    item_count: 2,
    ip: { address: '203.0.113.10', version: 4, is_private: false, country: 'TH', asn: 64500, is_tor: true },
    email: { address: 'somchai@example.co.th', domain: 'example.co.th', is_disposable: false },
    card: { bin: '424242', last4: '4242', country: 'TH', brand: 'visa', funding: 'credit', fingerprint: 'fp_7Hq2' },
    billing: { name: 'Somchai J', line1: '1 Sukhumvit Rd', line2: 'Floor 3', city: 'Bangkok', postal_code: '10110', country: 'TH' },
    shipping: { name: 'Somchai J', line1: '9 Silom Rd', city: 'Bangkok', postal_code: '10500', country: 'TH' },
    velocity: { charges_per_ip_1h: 3 },
    customer: { id: 'cus_42' }
  })
}

/** the features as the decision log keeps them: encoded as the scorer records them, then decoded */
function recorded (f: Features): Features {
  const context = createRecordContext({ version: 'test.1', hash: 'abc' }, {}, ['charges_per_ip_1h'], [])
  const encoded = encodeRecord({
    chargeId: 'ch_1',
    atMs: Date.UTC(2026, 10, 21),
    features: f,
    decision: 'allow',
    score: 0,
    fired: [],
    shadow: { decision: 'allow', score: 0, fired: [] },
    skipped: [],
    degraded: []
  }, context, hash)
  return decodeRecord(encoded, 'a-decision-id', context, indexEntry(f, 'allow', [], false, hash).identifiers).features
}

t.test('createSnapshotHash: a keyed digest of 22 base64url characters, deterministic, its own per key', async (t) => {
  const digest = hash('somchai@example.co.th')
  t.match(digest, /^[A-Za-z0-9_-]{22}$/)
  t.equal(hash('somchai@example.co.th'), digest, 'equal inputs give equal digests')
  t.not(hash('somchai@example.co.tH'), digest)
  t.not(hash('a'), createSnapshotHash('another-key-0123456789abcdef012345678')('a'), 'the digest depends on the key')
})

t.test('a backtest with hashed lists replays the live decision exactly', async (t) => {
  const text = ruleSetText([
    '  - id: blocked_email',
    '    when: email.address in lists.blocked_emails',
    '    action: block',
    '  - id: trusted',
    '    when: customer.id in lists.trusted_customers',
    '    score: -30',
    '  - id: risky_bin',
    '    when: card.bin in lists.risky_bins',
    '    score: 40',
    '  - id: same_name',
    '    when: billing.name == shipping.name',
    '    score: 5',
    '  - id: risky_fp',
    '    when: card.fingerprint in lists.bad_cards',
    '    score: 50'
  ].join('\n'), 'lists:\n  blocked_emails: lists/blocked_emails.txt\n  trusted_customers: lists/trusted_customers.txt\n  risky_bins: lists/risky_bins.txt\n  bad_cards: lists/bad_cards.txt')
  const lists = {
    blocked_emails: ['somchai@example.co.th', 'x@y.z'],
    trusted_customers: ['cus_42'],
    risky_bins: ['424242'],
    bad_cards: ['fp_other']
  }
  const live = compileOk(text, lists)
  const hashedSource = hashLists(Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, { file: `rules/lists/${k}.txt`, values: v }])), hash)
  const replay = compileOk(text, Object.fromEntries(Object.entries(hashedSource).map(([k, v]) => [k, v.values])))

  for (const f of [fullFeatures(), features({ email: { address: 'other@example.com', domain: 'example.com' } }), features()]) {
    const liveEval = evaluate(live, f)
    const replayEval = evaluate(replay, recorded(f))
    t.equal(replayEval.decision, liveEval.decision)
    t.equal(replayEval.score, liveEval.score)
    t.same(replayEval.reasons.map((r) => r.rule), liveEval.reasons.map((r) => r.rule))
    t.same(replayEval.skipped.map((r) => r.rule), liveEval.skipped.map((r) => r.rule))
  }
  t.same(evaluate(replay, recorded(fullFeatures())).reasons.map((r) => r.rule).sort(),
    ['blocked_email', 'risky_bin', 'same_name', 'trusted'], 'the hashed and the clear rules both fire')
  t.notOk(evaluate(compileOk(text, lists), recorded(fullFeatures())).reasons.some((r) => r.rule === 'blocked_email'),
    'without hashed lists a hashed email does not match (the test can fail)')
})

t.test('hashLists on compiled sets keeps clear entries and adds their hashes', async (t) => {
  const out = hashLists(new Map([['l', new Set(['a', 'b'])]]), hash)
  t.same([...(out.get('l') ?? [])].sort(), ['a', 'b', hash('a'), hash('b')].sort())
})
