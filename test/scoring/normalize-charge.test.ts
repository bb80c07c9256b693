import t from 'tap'
import fc from 'fast-check'
import type { ChargeContext } from '../../src/schemas/charge.js'
import { normalizeCharge } from '../../src/scoring/normalize-charge.js'
import { CARD_NUMBER_PLACEHOLDER } from '../../src/security/scrub-card-numbers.js'
import { RENDERING_SEPARATORS, asciiDigits, cardInText } from '../security/card-number-arbitraries.js'

const P = CARD_NUMBER_PLACEHOLDER

function baseCharge (): ChargeContext {
  return {
    charge_id: 'ord-1764867701237-5',
    amount: 129900,
    currency: 'thb',
    ip: '203.0.113.7',
    email: 'somchai@example.co.th',
    customer_id: 'cus_000123456',
    description: 'running shoes',
    card: { bin: '424242', last4: '4242', country: 'th', fingerprint: 'fp_9a8b7c', brand: 'visa', funding: 'credit' },
    billing: { name: 'Somchai', line1: '99/123 Sukhumvit Rd', line2: 'Khlong Toei', city: 'Bangkok', state: 'Bangkok', postal_code: '10110', country: 'th' },
    shipping: { name: 'Somchai', line1: '99/123 Sukhumvit Rd', line2: 'Khlong Toei', city: 'Bangkok', state: 'Bangkok', postal_code: '10110', country: 'th' },
    items: [{ sku: 'SHOE-42', name: 'Running shoes', category: 'sports', quantity: 2, unit_price: 59900 }],
    user_agent: 'Mozilla/5.0',
    accept_language: 'th-TH,th;q=0.9',
    metadata: { channel: 'web', order_ts: 1764867701237, loyal: true }
  }
}

/** Every free-text field of the charge: where a card number may be written and must be scrubbed. */
const FREE_TEXT_FIELDS = [
  'description', 'user_agent', 'accept_language',
  ...['billing', 'shipping'].flatMap((a) => ['name', 'line1', 'line2', 'city', 'state', 'postal_code'].map((f) => `${a}.${f}`)),
  'items.sku', 'items.name', 'items.category',
  'metadata.value', 'metadata.key',
  'card.brand', 'card.funding'
] as const
type FreeTextField = typeof FREE_TEXT_FIELDS[number]

function chargeWith (field: FreeTextField, text: string): ChargeContext {
  const charge = baseCharge()
  const [head, tail] = field.split('.') as [string, string | undefined]
  if (tail === undefined) {
    (charge as unknown as Record<string, unknown>)[head] = text
  } else if (head === 'items') {
    charge.items = [{ ...charge.items?.[0], [tail]: text }, { sku: 'GIFT', name: 'Gift wrap' }]
  } else if (head === 'metadata') {
    charge.metadata = tail === 'key' ? { ...charge.metadata, [text]: 'x' } : { ...charge.metadata, note: text }
  } else {
    (charge as unknown as Record<string, Record<string, unknown>>)[head] = { ...(charge as unknown as Record<string, Record<string, unknown>>)[head], [tail]: text }
  }
  return charge
}

t.test('property: after normalizeCharge, no card number of any rendering remains in any free-text field', async (t) => {
  let runs = 0
  let survived = 0
  fc.assert(fc.property(cardInText, fc.constantFrom(...FREE_TEXT_FIELDS), ({ card, rendering, text }, field) => {
    runs++
    const serialized = JSON.stringify(normalizeCharge(chargeWith(field, text)))
    const ok = !serialized.includes(rendering.text) &&
      !asciiDigits(serialized).replace(RENDERING_SEPARATORS, '').includes(card.digits) &&
      serialized.includes(P)
    if (!ok) survived++
    return ok
  }), { numRuns: 20_000 })
  t.equal(survived, 0)
  t.comment(`${runs} card numbers in free-text fields, ${survived} survived`)
})

t.test('every free-text field is scrubbed, identifiers and codes are kept', async (t) => {
  const pan = '4111 1111 1111 1111'
  const charge = baseCharge()
  const out = normalizeCharge({
    ...charge,
    description: `gift ${pan} 12/27`,
    user_agent: `UA ${pan}`,
    accept_language: `th ${pan}`,
    billing: { name: `n ${pan}`, line1: `l1 ${pan}`, line2: `l2 ${pan}`, city: `c ${pan}`, state: `s ${pan}`, postal_code: pan, country: 'th' },
    items: [{ sku: pan, name: `i ${pan}`, category: `k ${pan}`, quantity: 2 }],
    card: { ...charge.card, brand: `visa ${pan}`, funding: `credit ${pan}` },
    metadata: { [`key ${pan}`]: `value ${pan}`, n: 4111111111111111, ts: 1764867701237 }
  })
  t.same(out, {
    ...charge,
    currency: 'THB',
    description: `gift ${P} 12/27`,
    user_agent: `UA ${P}`,
    accept_language: `th ${P}`,
    billing: { name: `n ${P}`, line1: `l1 ${P}`, line2: `l2 ${P}`, city: `c ${P}`, state: `s ${P}`, postal_code: P, country: 'TH' },
    shipping: { ...charge.shipping, country: 'TH' },
    items: [{ sku: P, name: `i ${P}`, category: `k ${P}`, quantity: 2 }],
    card: { ...charge.card, country: 'TH', brand: `visa ${P}`, funding: `credit ${P}` },
    metadata: { [`key ${P}`]: `value ${P}`, n: P, ts: 1764867701237 }
  })
})

t.test('metadata keys scrubbed to the same text are both kept', async (t) => {
  const out = normalizeCharge({ ...baseCharge(), metadata: { 'a 4111111111111111': 1, 'a 5555555555554444': 2 } })
  t.same(out.metadata, { [`a ${P}`]: 1, [`a ${P} (2)`]: 2 })
})

t.test('normalizeCharge refuses nothing: identifiers holding card numbers keep their place, the number scrubbed (findCardData refuses whole card numbers before)', async (t) => {
  const charge = { ...baseCharge(), charge_id: '4111111111111111', customer_id: '5555 5555 5555 4444', email: 'x4222222222222@example.com' }
  const out = normalizeCharge(charge)
  t.equal(out.charge_id, '[card]')
  t.equal(out.customer_id, '[card]')
  t.equal(out.email, 'x[card]@example.com', 'a 13-digit number let through in an identifier is still not echoed or kept')
  const plain = normalizeCharge({ ...baseCharge(), charge_id: 'ord-1764867701237-5', customer_id: '123456789' })
  t.equal(plain.charge_id, 'ord-1764867701237-5', 'a realistic id is kept as sent')
  t.equal(plain.customer_id, '123456789')
})

t.test('a charge without card numbers is unchanged but for the codes', async (t) => {
  const charge = baseCharge()
  const out = normalizeCharge(charge)
  t.same(out, { ...charge, currency: 'THB', card: { ...charge.card, country: 'TH' }, billing: { ...charge.billing, country: 'TH' }, shipping: { ...charge.shipping, country: 'TH' } })
  t.equal(out.description, charge.description)
})
