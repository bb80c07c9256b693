import t from 'tap'
import { billingShippingMatch, normalizePostalCode } from '../../src/signals/address.js'
import type { Address } from '../../src/schemas/charge.js'

t.test('postal codes as they are compared', async (t) => {
  const cases: Array<[string, string | undefined, string]> = [
    ['10110', 'TH', '10110'],
    ['sw1a 1aa', 'GB', 'SW1A1AA'],
    ['SW1A1AA', 'GB', 'SW1A1AA'],
    ['100-0001', 'JP', '1000001'],
    ['94105-1234', 'US', '94105'],
    ['94105', 'US', '94105'],
    ['941051234', 'US', '94105'],
    ['94105-1234', 'MX', '941051234'],
    ['H3Z 2Y7', 'CA', 'H3Z2Y7'],
    [' 1 0 1 1 0 ', 'TH', '10110'],
    ['12.345', 'ID', '12345'],
    [' - ', 'TH', '']
  ]
  for (const [code, country, expected] of cases) t.equal(normalizePostalCode(code, country), expected, `${country ?? '-'} ${JSON.stringify(code)}`)
})

t.test('billing_shipping_match: same country and postal code; unknown when either lacks them', async (t) => {
  const bangkok: Address = { city: 'Bangkok', postal_code: '10110', country: 'TH' }
  const cases: Array<[string, Address | undefined, Address | undefined, boolean | undefined]> = [
    ['the same address', bangkok, { ...bangkok, line1: 'another line' }, true],
    ['the same postal code written differently', { postal_code: 'SW1A 1AA', country: 'GB' }, { postal_code: 'sw1a1aa', country: 'GB' }, true],
    ['a ZIP+4 and its ZIP', { postal_code: '94105-1234', country: 'US' }, { postal_code: '94105', country: 'US' }, true],
    ['another postal code', bangkok, { postal_code: '10500', country: 'TH' }, false],
    ['the same postal code in another country', bangkok, { postal_code: '10110', country: 'MY' }, false],
    ['no shipping address (digital goods)', bangkok, undefined, undefined],
    ['no billing address', undefined, bangkok, undefined],
    ['shipping without a postal code', bangkok, { city: 'Bangkok', country: 'TH' }, undefined],
    ['billing without a country', { postal_code: '10110' }, bangkok, undefined],
    ['a postal code of separators only', { postal_code: '-', country: 'TH' }, bangkok, undefined]
  ]
  for (const [name, billing, shipping, expected] of cases) t.equal(billingShippingMatch(billing, shipping), expected, name)
})
