/**
 * The rule sets and features the engine benchmarks use: the default rule set (rules/) and a
 * generated set of N rules of ten shapes (flags, velocity, country mismatch, string equality,
 * contains, list membership, has(), an items macro, int and ternary arithmetic), 20 counters and
 * 5 lists of 1,000 values. The differential tests evaluate the same generated set.
 */
import { compileRuleSet } from '../src/engine/compile.js'
import type { Features } from '../src/engine/features.js'
import type { CompiledRuleSet, RuleSetSource } from '../src/engine/ruleset.js'

const SHAPES: ReadonlyArray<(i: number) => string> = [
  (i) => `ip.is_tor && amount > ${i * 1000}`,
  (i) => `velocity.c${i % 20} > ${i % 7}`,
  (i) => `ip.country != card.country && amount > ${i * 100}`,
  (i) => `email.domain == "d${i}.example"`,
  (i) => `description.contains("w${i}")`,
  (i) => `customer.id in lists.l${i % 5}`,
  (i) => `has(billing.postal_code) && billing.postal_code != shipping.postal_code && amount >= ${i}`,
  (i) => `items.exists(x, x.quantity > ${i % 5} && x.category == "gift")`,
  (i) => `ip.asn == ${i} || ip.is_hosting`,
  (i) => `(currency == "THB" ? amount > ${i * 5000} : amount > ${i * 150}) && email.is_disposable`
]

/** The YAML and lists of a generated rule set of `count` rules (every tenth in shadow mode). */
export function generatedRuleSetSource (count: number): RuleSetSource {
  const counters = Array.from({ length: 20 }, (_, i) => `  c${i}: { count: charges, by: [card.bin, ip], window: ${i + 1}h }`)
  const rules = Array.from({ length: count }, (_, i) => [
    `  - id: r${i}`,
    `    when: '${(SHAPES[i % SHAPES.length] as (i: number) => string)(i)}'`,
    `    score: ${(i % 9) + 1}`,
    i % 10 === 9 ? '    mode: shadow' : ''
  ].filter(Boolean).join('\n'))
  const text = [
    'version: "bench"', 'thresholds: { review: 50, block: 80 }', 'velocity:', ...counters,
    'lists:', ...Array.from({ length: 5 }, (_, i) => `  l${i}: lists/l${i}.txt`), 'rules:', ...rules
  ].join('\n')
  const lists = Object.fromEntries(Array.from({ length: 5 }, (_, i) =>
    [`l${i}`, { file: `l${i}.txt`, values: Array.from({ length: 1000 }, (_, j) => `cus_${i}_${j}`) }]))
  return { file: 'generated.yaml', text, lists }
}

export function generatedRuleSet (count: number): CompiledRuleSet {
  const result = compileRuleSet(generatedRuleSetSource(count))
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'))
  return result.ruleSet
}

/** A typical charge's features, every signal known, velocity for the default and generated sets. */
export const benchFeatures: Features = {
  amount: 1_250_000,
  currency: 'THB',
  description: 'Order 1042: running shoes',
  item_count: 2,
  items: [{ sku: 'SH-1', name: 'Running shoes', category: 'shoes', quantity: 2, unit_price: 625_000 }],
  metadata: { channel: 'web', attempt: 1 },
  ip: { address: '203.0.113.9', version: 4, is_private: false, country: 'TH', asn: 131445, as_org: 'Example ISP', is_tor: false, is_hosting: false, is_vpn: false, is_proxy: false, is_residential_proxy: false, is_anonymous: false },
  email: { address: 'somchai@example.co.th', domain: 'example.co.th', is_disposable: false },
  card: { bin: '424242', last4: '4242', country: 'TH', brand: 'visa', funding: 'credit', fingerprint: 'fp_3kd93' },
  billing: { country: 'TH', postal_code: '10110', city: 'Bangkok' },
  shipping: { country: 'TH', postal_code: '10110', city: 'Bangkok' },
  velocity: {
    charges_per_ip_1h: 2,
    charges_per_email_24h: 3,
    charges_per_card_1h: 1,
    cards_per_email_24h: 1,
    cards_per_ip_24h: 1,
    cards_per_bin_ip_1h: 1,
    amount_per_card_24h: 1_250_000,
    ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${i}`, i]))
  },
  customer: { id: 'cus_1042' }
}
