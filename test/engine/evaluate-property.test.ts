import t from 'tap'
import fc from 'fast-check'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluate } from '../../src/engine/evaluate.js'
import type { Features } from '../../src/engine/features.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { compileOk, ruleSetText } from '../helpers/rule-engine.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

// a set reaching into every corner of the environment: items, metadata, macros, lists, has()
const exotic = compileOk(ruleSetText([
  '  - id: items_gift',
  '    when: items.exists(i, i.category == "gift_card" && i.quantity * i.unit_price > 100)',
  '    score: 10',
  '  - id: meta',
  '    when: has(metadata.vip) && metadata.vip == true',
  '    action: allow',
  '  - id: ratio',
  '    when: amount / item_count > 1000',
  '    score: 10',
  '  - id: asn',
  '    when: ip.asn in [15169, 16509] || ip.risk > 50.0',
  '    score: 20',
  '  - id: listed',
  '    when: customer.id in lists.c || card.bin in lists.c',
  '    action: block',
  '  - id: vel',
  '    when: velocity.v >= 3 && shipping.postal_code != billing.postal_code',
  '    score: 30',
  '    mode: shadow',
  '  - id: device',
  '    when: device.is_bot || (device.language != "th" && !billing_shipping_match) || ip_billing_distance_km > 500 || ip.connection_type == "Satellite"',
  '    score: 25'
].join('\n'), 'velocity:\n  v: { count: charges, by: [card.bin, ip], window: 1h }\nlists:\n  c: lists/c.txt'), { c: ['x', '123456'] })

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const str = fc.string({ maxLength: 12 })
const country = fc.constantFrom('TH', 'US', 'RU', 'SG')

/** Features as the service builds them, with every optional part randomly absent. */
const typedFeatures: fc.Arbitrary<Features> = fc.record({
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  currency: fc.constantFrom('THB', 'USD', 'JPY'),
  description: opt(fc.constantFrom('Gift card x5', 'voucher', 'shoes', '')),
  item_count: fc.integer({ min: 0, max: 20 }),
  items: fc.array(fc.record({
    name: opt(str),
    category: opt(fc.constantFrom('gift_card', 'shoes')),
    quantity: opt(fc.integer({ min: 0, max: 10 })),
    unit_price: opt(fc.integer({ min: 0, max: 100_000 }))
  }, { requiredKeys: [] }), { maxLength: 4 }),
  metadata: fc.dictionary(fc.constantFrom('vip', 'campaign', 'n'), fc.oneof(fc.boolean(), str, fc.integer(), fc.double())),
  ip: fc.record({
    address: fc.constantFrom('203.0.113.9', '2001:db8::1'),
    version: fc.constantFrom(4 as const, 6 as const),
    is_private: fc.boolean(),
    country: opt(country),
    asn: opt(fc.integer({ min: 1, max: 400_000 })),
    is_tor: opt(fc.boolean()),
    is_hosting: opt(fc.boolean()),
    is_vpn: opt(fc.boolean()),
    is_proxy: opt(fc.boolean()),
    is_residential_proxy: opt(fc.boolean()),
    is_anonymous: opt(fc.boolean()),
    risk: opt(fc.double({ min: 0, max: 99, noNaN: true })),
    connection_type: opt(fc.constantFrom('Cable/DSL', 'Cellular', 'Corporate', 'Satellite'))
  }),
  email: opt(fc.record({ address: fc.constantFrom('a@example.com', 'blocked.shopper@example.com'), domain: fc.constant('example.com'), is_disposable: opt(fc.boolean()) })),
  card: opt(fc.record({ bin: opt(fc.constantFrom('123456', '424242')), country: opt(country), fingerprint: opt(str) }, { requiredKeys: [] })),
  billing: opt(fc.record({ country: opt(country), postal_code: opt(str) }, { requiredKeys: [] })),
  shipping: opt(fc.record({ country: opt(country), postal_code: opt(str) }, { requiredKeys: [] })),
  velocity: opt(fc.dictionary(fc.constantFrom('v', 'charges_per_ip_1h', 'cards_per_bin_ip_1h', 'amount_per_card_24h'), fc.integer({ min: 0, max: 50 }))),
  customer: fc.record({ id: opt(fc.constantFrom('x', 'cus_example_trusted', 'y')) }),
  device: opt(fc.record({ user_agent: opt(str), browser: opt(fc.constantFrom('Chrome', 'Safari')), os: opt(str), is_mobile: opt(fc.boolean()), is_bot: opt(fc.boolean()), accept_language: opt(str), language: opt(fc.constantFrom('th', 'en')) }, { requiredKeys: [] })),
  billing_shipping_match: opt(fc.boolean()),
  ip_billing_distance_km: opt(fc.integer({ min: 0, max: 20_000 }))
}, { requiredKeys: ['amount', 'currency', 'item_count', 'items', 'metadata', 'ip', 'customer'] }) as fc.Arbitrary<Features>

/** Anything at all where the features should be: wrong types, nulls, NaN, nested junk. */
const junkFeatures = fc.oneof(
  fc.anything(),
  fc.dictionary(
    fc.constantFrom('amount', 'currency', 'description', 'item_count', 'items', 'metadata', 'ip', 'email', 'card', 'billing', 'shipping', 'velocity', 'customer',
      'device', 'billing_shipping_match', 'ip_billing_distance_km'),
    fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom('is_tor', 'country', 'asn', 'v', 'id', 'bin', 'postal_code', 'risk', 'vip', 'is_bot', 'language', 'connection_type'), fc.anything()))
  )
) as fc.Arbitrary<unknown> as fc.Arbitrary<Features>

t.test('evaluation never throws and always answers in shape', async (t) => {
  const defaults = await loadRuleSet(path.join(root, 'rules'))
  for (const ruleSet of [defaults, exotic]) {
    const ids = ruleSet.rules.map((rule) => rule.id)
    fc.assert(fc.property(typedFeatures, (features) => {
      const result = evaluate(ruleSet, features)
      if (!['allow', 'review', 'block'].includes(result.decision)) return false
      if (result.score < 0 || result.score > 100 || !Number.isInteger(result.score)) return false
      // every rule is accounted for at most once across fired, shadow-fired and skipped
      const seen = [...result.reasons, ...result.shadow.reasons].map((r) => r.rule).concat(result.skipped.map((s) => s.rule))
      if (new Set(seen).size !== seen.length || seen.some((id) => !ids.includes(id))) return false
      // a rule that fired had every required input known
      for (const reason of result.reasons) {
        const rule = ruleSet.rules.find((r) => r.id === reason.rule)
        if (rule === undefined) return false
        for (const read of rule.requires) if (reason.values[read.path] === undefined && !['items', 'metadata'].includes(read.path)) return false
      }
      JSON.stringify(result)
      return true
    }), { numRuns: 2_000 })
    t.pass(`typed features on ${ruleSet.version === 'test.1' ? 'the exotic set' : 'the default set'}`)

    fc.assert(fc.property(junkFeatures, (features) => {
      const result = evaluate(ruleSet, features)
      return ['allow', 'review', 'block'].includes(result.decision)
    }), { numRuns: 2_000 })
    t.pass('junk features never throw')
  }
})
