import t from 'tap'
import { evaluate } from '../../src/engine/evaluate.js'
import { readFeaturePath } from '../../src/engine/feature-path.js'
import type { Features } from '../../src/engine/features.js'
import type { ScoreResponse } from '../../src/schemas/decision.js'
import { createSnapshotHash, HASHED_PATHS, hashLists, snapshotFeatures, toDecisionRecord } from '../../src/decision-log/snapshot.js'
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

t.test('every hashed path holds the keyed hash of its value, never the value', async (t) => {
  const input = fullFeatures()
  const snap = snapshotFeatures(input, hash)
  const serialized = JSON.stringify(snap)
  for (const path of HASHED_PATHS) {
    const clear = readFeaturePath(input, path)
    if (clear === undefined) continue
    t.equal(readFeaturePath(snap, path), hash(String(clear)), path)
    t.notOk(serialized.includes(`"${String(clear)}"`), `${path} value absent from the snapshot`)
  }
  t.equal(hash('somchai@example.co.th').length, 22)
  t.not(hash('a'), createSnapshotHash('another-key-0123456789abcdef012345678')('a'), 'the digest depends on the key')
})

t.test('what rules need stays in clear; the input is not modified', async (t) => {
  const input = fullFeatures()
  const before = structuredClone(input)
  const snap = snapshotFeatures(input, hash)
  t.same(input, before, 'input untouched')
  for (const path of ['ip.country', 'ip.asn', 'ip.is_tor', 'ip.version', 'email.domain', 'email.is_disposable', 'card.bin',
    'card.last4', 'card.brand', 'card.funding', 'card.country', 'billing.postal_code', 'billing.city', 'shipping.country',
    'amount', 'currency', 'description', 'item_count']) {
    t.equal(readFeaturePath(snap, path), readFeaturePath(input, path), path)
  }
  t.same(snap.velocity, input.velocity)
  t.same(snap.items, input.items)
  t.same(snap.metadata, input.metadata)
})

t.test('unknown values stay unknown', async (t) => {
  const snap = snapshotFeatures(features(), hash)
  t.equal(snap.email, undefined)
  t.equal(snap.card, undefined)
  t.same(snap.customer, {})
  const partial = snapshotFeatures(features({ billing: { city: 'Bangkok' } }), hash)
  t.same(partial.billing, { city: 'Bangkok' }, 'no name or line1 appears from nowhere')
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
    const replayEval = evaluate(replay, snapshotFeatures(f, hash))
    t.equal(replayEval.decision, liveEval.decision)
    t.equal(replayEval.score, liveEval.score)
    t.same(replayEval.reasons.map((r) => r.rule), liveEval.reasons.map((r) => r.rule))
    t.same(replayEval.skipped.map((r) => r.rule), liveEval.skipped.map((r) => r.rule))
  }
  t.same(evaluate(replay, snapshotFeatures(fullFeatures(), hash)).reasons.map((r) => r.rule).sort(),
    ['blocked_email', 'risky_bin', 'same_name', 'trusted'], 'the hashed and the clear rules both fire')
  t.notOk(evaluate(compileOk(text, lists), snapshotFeatures(fullFeatures(), hash)).reasons.some((r) => r.rule === 'blocked_email'),
    'without hashed lists a hashed email does not match (the test can fail)')
})

t.test('hashLists on compiled sets keeps clear entries and adds their hashes', async (t) => {
  const out = hashLists(new Map([['l', new Set(['a', 'b'])]]), hash)
  t.same([...(out.get('l') ?? [])].sort(), ['a', 'b', hash('a'), hash('b')].sort())
})

t.test('toDecisionRecord', async (t) => {
  const f = fullFeatures()
  const response: ScoreResponse = {
    decision_id: 'd1',
    charge_id: 'ch_1',
    decision: 'review',
    score: 60,
    reasons: [{ rule: 'tor_exit', description: 'Tor', score: 40, action: null, values: { 'ip.is_tor': true } },
      { rule: 'mismatch', description: 'm', score: 20, action: null, values: {} }],
    shadow: { decision: 'block', score: 90, reasons: [{ rule: 'new_rule', description: 'n', score: 30, action: null, values: {} }] },
    skipped: [{ rule: 'disposable', unknown: ['email.is_disposable'] }],
    signals: { ip: f.ip },
    degraded: ['velocity'],
    ruleset: { version: '2026-01-01.1', hash: 'abc' },
    data: { country: '2026-10-01' },
    replayed: false,
    took_ms: 0.5
  }
  const at = new Date('2026-11-21T10:00:00.000Z')
  const record = toDecisionRecord(response, f, hash, at)
  t.same(record, {
    v: 1,
    decision_id: 'd1',
    charge_id: 'ch_1',
    at: '2026-11-21T10:00:00.000Z',
    amount: f.amount,
    currency: f.currency,
    features: snapshotFeatures(f, hash),
    ruleset: { version: '2026-01-01.1', hash: 'abc' },
    data: { country: '2026-10-01' },
    decision: 'review',
    score: 60,
    fired: ['tor_exit', 'mismatch'],
    shadow: { decision: 'block', score: 90, fired: ['new_rule'] },
    skipped: ['disposable'],
    degraded: ['velocity']
  })
  t.notOk(JSON.stringify(record).includes('somchai@example.co.th'))
  t.ok(Date.parse(toDecisionRecord(response, f, hash).at) > 0, 'at defaults to now')
})
