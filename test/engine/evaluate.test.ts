import t from 'tap'
import { evaluate } from '../../src/engine/evaluate.js'
import { compileOk, features, ruleSetText } from '../helpers/rule-engine.js'

const VELOCITY = [
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  '  amount_card_24h: { sum: amount, by: card.fingerprint, window: 24h }'
].join('\n')

/** A rule per flag of the IP, so a test fires exactly the rules it sets. */
function rule (id: string, when: string, extra: string): string {
  return [`  - id: ${id}`, `    when: ${when}`, ...extra.split(';').map((s) => `    ${s.trim()}`)].join('\n')
}

const precedenceSet = compileOk(ruleSetText([
  rule('s30', 'ip.is_tor', 'score: 30'),
  rule('s60', 'ip.is_vpn', 'score: 60'),
  rule('s90', 'ip.is_proxy', 'score: 90'),
  rule('do_allow', 'ip.is_hosting', 'action: allow'),
  rule('do_block', 'ip.is_anonymous', 'action: block'),
  rule('do_review', 'ip.is_residential_proxy', 'action: review'),
  rule('minus40', 'ip.is_private', 'score: -40')
].join('\n')))

const ipWith = (...flags: string[]) => features({
  ip: { address: '203.0.113.10', version: 4, is_private: flags.includes('is_private'), ...Object.fromEntries(flags.map((f) => [f, true])) }
})

t.test('precedence: allow action > block (action or score >= block) > review (action or score >= review) > allow', async (t) => {
  const cases: Array<[string[], string, number]> = [
    [[], 'allow', 0],
    [['is_tor'], 'allow', 30],
    [['is_vpn'], 'review', 60],
    [['is_tor', 'is_vpn'], 'block', 90],
    [['is_proxy'], 'block', 90],
    [['is_residential_proxy'], 'review', 0],
    [['is_residential_proxy', 'is_proxy'], 'block', 90], // a review action never lowers a score at the block threshold
    [['is_residential_proxy', 'is_vpn'], 'review', 60],
    [['is_residential_proxy', 'is_tor'], 'review', 30],
    [['is_anonymous'], 'block', 0],
    [['is_anonymous', 'is_residential_proxy'], 'block', 0],
    [['is_hosting', 'is_anonymous', 'is_proxy'], 'allow', 90],
    [['is_hosting', 'is_residential_proxy'], 'allow', 0]
  ]
  for (const [flags, decision, score] of cases) {
    const result = evaluate(precedenceSet, ipWith(...flags))
    t.equal(result.decision, decision, `${flags.join('+') || 'nothing'} -> ${decision}`)
    t.equal(result.score, score, `${flags.join('+') || 'nothing'} scores ${score}`)
  }
})

t.test('thresholds are inclusive and the score is clamped to 0..100', async (t) => {
  const set = compileOk(ruleSetText([
    rule('a', 'amount >= 1', 'score: 50'),
    rule('b', 'amount >= 2', 'score: 30'),
    rule('c', 'amount >= 3', 'score: 40'),
    rule('good', 'amount == 0', 'score: -20')
  ].join('\n')))
  const cases: Array<[number, string, number]> = [
    [0, 'allow', 0], // -20 clamps to 0
    [1, 'review', 50], // 50 >= review 50
    [2, 'block', 80], // 80 >= block 80
    [3, 'block', 100] // 120 clamps to 100
  ]
  for (const [amount, decision, score] of cases) {
    const result = evaluate(set, features({ amount }))
    t.equal(result.decision, decision, `amount ${amount}`)
    t.equal(result.score, score, `amount ${amount}`)
  }
})

t.test('negative scores offset positive ones before clamping', async (t) => {
  const result = evaluate(precedenceSet, ipWith('is_vpn', 'is_private'))
  t.equal(result.score, 20)
  t.equal(result.decision, 'allow')
})

t.test('shadow rules never change the live decision; shadow shows live + shadow together', async (t) => {
  const set = compileOk(ruleSetText([
    rule('tor', 'ip.is_tor', 'score: 60'),
    rule('tor_block', 'ip.is_tor', 'action: block; mode: shadow'),
    rule('vpn_more', 'ip.is_vpn', 'score: 30; mode: shadow'),
    rule('trusted', 'customer.id == "c1"', 'action: allow; mode: shadow')
  ].join('\n')))

  const tor = evaluate(set, ipWith('is_tor'))
  t.equal(tor.decision, 'review')
  t.equal(tor.score, 60)
  t.same(tor.reasons.map((r) => r.rule), ['tor'])
  t.same(tor.shadow, {
    decision: 'block',
    score: 60,
    reasons: [{ rule: 'tor_block', description: 'ip.is_tor', score: null, action: 'block', values: { 'ip.is_tor': true } }]
  })

  const vpn = evaluate(set, { ...ipWith('is_tor', 'is_vpn'), customer: { id: 'c1' } })
  t.equal(vpn.decision, 'review', 'live ignores the shadow allow and score')
  t.equal(vpn.score, 60)
  t.equal(vpn.shadow.score, 90)
  t.equal(vpn.shadow.decision, 'allow', 'shadow allow beats shadow block')
  t.same(vpn.shadow.reasons.map((r) => r.rule), ['tor_block', 'vpn_more', 'trusted'])

  const none = evaluate(set, features())
  t.same(none.shadow, { decision: 'allow', score: 0, reasons: [] })
})

t.test('unknown inputs: the rule is skipped, never fired by accident', async (t) => {
  const set = compileOk(ruleSetText([
    rule('mismatch', 'ip.country != card.country', 'score: 20'),
    rule('not_tor', '"!ip.is_tor"', 'score: 10'),
    rule('vel', 'velocity.ip_1h > 5', 'score: 30'),
    rule('no_vel', 'velocity.ip_1h <= 5', 'action: allow'),
    rule('desc', 'description.contains("gift")', 'score: 10'),
    rule('either', 'ip.is_tor || email.is_disposable', 'score: 10')
  ].join('\n'), VELOCITY))

  const bare = evaluate(set, features())
  t.equal(bare.decision, 'allow')
  t.same(bare.reasons, [])
  t.same(bare.skipped, [
    { rule: 'mismatch', unknown: ['ip.country', 'card.country'] },
    { rule: 'not_tor', unknown: ['ip.is_tor'] },
    { rule: 'vel', unknown: ['velocity.ip_1h'] },
    { rule: 'no_vel', unknown: ['velocity.ip_1h'] },
    { rule: 'desc', unknown: ['description'] },
    { rule: 'either', unknown: ['ip.is_tor', 'email.is_disposable'] }
  ])

  const noCard = evaluate(set, features({ ip: { address: '1.2.3.4', version: 4, is_private: false, country: 'TH', is_tor: true } }))
  t.same(noCard.skipped.find((s) => s.rule === 'mismatch'), { rule: 'mismatch', unknown: ['card.country'] },
    'ip.country != card.country with no card does not fire')
  t.notOk(noCard.reasons.some((r) => r.rule === 'mismatch'))
  t.same(noCard.skipped.find((s) => s.rule === 'either'), { rule: 'either', unknown: ['email.is_disposable'] },
    'a rule is skipped when any of its inputs is unknown, even if another would decide it')

  const cardWithoutCountry = evaluate(set, features({
    ip: { address: '1.2.3.4', version: 4, is_private: false, country: 'TH' },
    card: { bin: '424242' }
  }))
  t.same(cardWithoutCountry.skipped.find((s) => s.rule === 'mismatch'), { rule: 'mismatch', unknown: ['card.country'] })

  const velocityDown = evaluate(set, features({ velocity: undefined }))
  t.ok(velocityDown.skipped.some((s) => s.rule === 'no_vel'), 'an allow rule on velocity does not fire when velocity is unknown')
  t.equal(velocityDown.decision, 'allow')

  const known = evaluate(set, features({ velocity: { ip_1h: 7 } }))
  t.same(known.reasons.map((r) => [r.rule, r.values]), [['vel', { 'velocity.ip_1h': 7 }]])
})

t.test('has(): the author handles presence, the rule is not skipped', async (t) => {
  const set = compileOk(ruleSetText([
    rule('guarded', 'has(card.country) && card.country != ip.country', 'score: 20'),
    rule('absent_card', "'!has(card.fingerprint)'", 'score: 15'),
    rule('meta', 'has(metadata.campaign) && metadata.campaign == "black_friday"', 'score: 5'),
    rule('vel_guarded', 'has(velocity.ip_1h) && velocity.ip_1h > 3', 'score: 5')
  ].join('\n'), VELOCITY))

  const noCard = evaluate(set, features({ ip: { address: '1.2.3.4', version: 4, is_private: false, country: 'TH' } }))
  t.same(noCard.skipped, [], 'nothing skipped: has() paths are exempt')
  t.same(noCard.reasons.map((r) => r.rule), ['absent_card'])
  t.same(noCard.reasons[0]?.values, { 'card.fingerprint': null }, 'an absent has() path shows as null')

  const withCard = evaluate(set, features({
    ip: { address: '1.2.3.4', version: 4, is_private: false, country: 'TH' },
    card: { country: 'US', fingerprint: 'fp1' },
    metadata: { campaign: 'black_friday' },
    velocity: { ip_1h: 4 }
  }))
  t.same(withCard.reasons.map((r) => [r.rule, r.values]), [
    ['guarded', { 'ip.country': 'TH', 'card.country': 'US' }],
    ['meta', { 'metadata.campaign': 'black_friday' }],
    ['vel_guarded', { 'velocity.ip_1h': 4 }]
  ])

  const ipCountryUnknown = evaluate(set, features({ card: { country: 'US' } }))
  t.same(ipCountryUnknown.skipped, [{ rule: 'guarded', unknown: ['ip.country'] }], 'paths outside has() are still checked')
})

t.test('run-time errors skip the rule with the error, never crash', async (t) => {
  const set = compileOk(ruleSetText([
    rule('div', 'amount / item_count > 100', 'score: 10'),
    rule('regex', 'metadata.note.matches("^x")', 'score: 10'),
    rule('meta_missing', 'metadata.campaign == "x"', 'score: 10'),
    rule('index', 'items[3].quantity > 1', 'score: 10'),
    rule('ok', 'amount > 0', 'score: 10')
  ].join('\n')))
  const result = evaluate(set, features({ amount: 500, item_count: 0, description: 'x', metadata: { note: 5 } }))
  t.same(result.reasons.map((r) => r.rule), ['ok'])
  t.match(result.skipped, [
    { rule: 'div', unknown: [], error: /division by zero/ },
    // a metadata value is dyn: matches() on a number is an error at run time (named as written)
    { rule: 'regex', unknown: [], error: "found no matching overload for 'int.matches(string)'" },
    { rule: 'meta_missing', unknown: ['metadata.campaign'] },
    { rule: 'index', unknown: [], error: /index out of bounds/ }
  ])
})

t.test('reasons show the inputs the rule read, as plain JSON values', async (t) => {
  const set = compileOk(ruleSetText([
    rule('big_asn', 'ip.asn == 15169 && amount > 1000 && ip.risk > 50.0', 'score: 10; description: Google ASN, big amount'),
    rule('gift', 'items.exists(i, i.category == "gift_card" && i.quantity >= 3)', 'score: 10'),
    rule('ratio', 'double(amount) / double(item_count) > 10.0', 'score: 5')
  ].join('\n')))
  const result = evaluate(set, features({
    amount: 5000,
    item_count: 3,
    ip: { address: '8.8.8.8', version: 4, is_private: false, asn: 15169, risk: 72.5 },
    items: [{ name: 'Card', category: 'gift_card', quantity: 3, unit_price: 1000 }]
  }))
  t.same(result.reasons, [
    { rule: 'big_asn', description: 'Google ASN, big amount', score: 10, action: null, values: { 'ip.asn': 15169, amount: 5000, 'ip.risk': 72.5 } },
    { rule: 'gift', description: 'items.exists(i, i.category == "gift_card" && i.quantity >= 3)', score: 10, action: null, values: {} },
    { rule: 'ratio', description: 'double(amount) / double(item_count) > 10.0', score: 5, action: null, values: { amount: 5000, item_count: 3 } }
  ])
  t.doesNotThrow(() => JSON.stringify(result), 'no BigInt leaks into the result')
})

t.test('long strings are cut in reasons', async (t) => {
  const set = compileOk(ruleSetText(rule('gift', 'description.contains("gift")', 'score: 10')))
  const long = 'gift '.repeat(100)
  const result = evaluate(set, features({ description: long }))
  t.equal(result.reasons[0]?.values.description, `${long.slice(0, 200)}…`)
})

t.test('lists are sets of strings usable with in', async (t) => {
  const set = compileOk(ruleSetText([
    rule('blocked', 'email.address in lists.blocked', 'action: block'),
    rule('vip', 'customer.id in lists.vip', 'score: -30'),
    rule('bin_listed', 'lists.bins.exists(b, card.bin.startsWith(b))', 'score: 10')
  ].join('\n'), 'lists:\n  blocked: lists/blocked.txt\n  vip: lists/vip.txt\n  bins: lists/bins.txt'),
  { blocked: ['bad@example.com'], vip: ['c1', 'c2'], bins: ['4242', '5555'] })

  const blocked = evaluate(set, features({ email: { address: 'bad@example.com', domain: 'example.com' } }))
  t.equal(blocked.decision, 'block')
  t.same(blocked.reasons[0]?.values, { 'email.address': 'bad@example.com' }, 'the list itself is not shown')
  t.equal(evaluate(set, features({ email: { address: 'ok@example.com', domain: 'example.com' } })).decision, 'allow')
  t.same(evaluate(set, features({ customer: { id: 'c2' }, card: { bin: '42424242' } })).reasons.map((r) => r.rule), ['vip', 'bin_listed'])
})

t.test('evaluation is deterministic and does not mutate the features', async (t) => {
  const f = features({ ip: { address: '1.2.3.4', version: 4, is_private: false, is_tor: true, is_vpn: true } })
  const copy = structuredClone(f)
  const a = evaluate(precedenceSet, f)
  const b = evaluate(precedenceSet, f)
  t.same(a, b)
  t.same(f, copy)
})
