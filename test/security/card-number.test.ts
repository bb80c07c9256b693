import t from 'tap'
import fc from 'fast-check'
import { CARD_NETWORKS } from '../../src/security/card-networks.js'
import { inCardNetworkRange, isCardNumber } from '../../src/security/card-number.js'
import { luhnCheckDigit } from '../../src/security/luhn.js'
import { NO_NETWORK_PREFIXES, cardNumber } from './card-number-arbitraries.js'

const withCheckDigit = (partial: string): string => partial + String(luhnCheckDigit(partial))

t.test('the table: IIN ranges of digits, at most 8 long, lengths 13-19', async (t) => {
  for (const network of CARD_NETWORKS) {
    t.ok(network.lengths.length > 0, `${network.name} has lengths`)
    for (const length of network.lengths) t.ok(length >= 13 && length <= 19, `${network.name} ${length}`)
    for (const iin of network.iin) t.match(iin, /^([0-9]{1,8})(-[0-9]{1,8})?$/, `${network.name} ${iin}`)
  }
})

t.test('well-known test numbers of each network are card numbers', async (t) => {
  const numbers = {
    visa: '4242424242424242',
    visa13: '4222222222222',
    visa19: withCheckDigit('400000000000000000'),
    mastercard: '5555555555554444',
    mastercard2: '2223003122003222',
    amex: '378282246310005',
    discover: '6011111111111117',
    discover19: withCheckDigit('601100000000000000'),
    diners14: '36227206271667',
    diners16: '3056930009020004',
    jcb: '3566002020360505',
    unionpay: '6200000000000005',
    unionpay19: withCheckDigit('620550000000000000'),
    maestro: '6759649826438453',
    mir: '2200000000000004'
  }
  for (const [name, digits] of Object.entries(numbers)) t.ok(isCardNumber(digits), `${name} ${digits}`)
})

t.test('every generated card number of the table is a card number', async (t) => {
  fc.assert(fc.property(cardNumber, ({ digits }) => isCardNumber(digits)), { numRuns: 5_000 })
})

t.test('not card numbers: wrong length for the network, bad check digit, non-digits', async (t) => {
  t.notOk(isCardNumber('5555555555554444'.slice(0, 15)), 'Mastercard of 15 digits')
  t.notOk(isCardNumber(withCheckDigit('3782822463100')), 'American Express is 15 digits, not 14')
  t.notOk(isCardNumber(withCheckDigit('378282246310005')), 'American Express is 15 digits, not 16')
  t.notOk(isCardNumber('4242424242424241'), 'Luhn check fails')
  t.notOk(isCardNumber('4242 4242 4242 4242'), 'separators are removed by the callers')
  t.notOk(isCardNumber('424242424242'), '12 digits')
  t.notOk(isCardNumber(withCheckDigit('4'.repeat(19))), '20 digits')
})

// A number with a valid Luhn check digit that is in no network's range is not a card number: it
// is neither refused nor scrubbed. One in ten numbers passes the Luhn check by chance: without
// the ranges, every tenth order number, timestamp or barcode of 13-19 digits would be taken for a
// card. NO_NETWORK_PREFIXES lists prefixes in no range of src/security/card-networks.ts.
t.test('Luhn-valid numbers in no network range are not card numbers', async (t) => {
  fc.assert(fc.property(
    fc.constantFrom(...NO_NETWORK_PREFIXES), fc.integer({ min: 13, max: 19 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
    (prefix, length, rest) => !isCardNumber(withCheckDigit((prefix + rest.join('')).slice(0, length - 1)))
  ))
  fc.assert(fc.property(
    fc.constantFrom(13, 14, 16, 17, 18, 19), fc.integer({ min: 0, max: 8 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
    (length, second, rest) => !isCardNumber(withCheckDigit(('1' + String(second) + rest.join('')).slice(0, length - 1)))
  ))
  t.notOk(isCardNumber(withCheckDigit('000000000000000')))
  t.ok(isCardNumber(withCheckDigit('10000000000000')), 'UATP: 1, 15 digits')
})

t.test('inCardNetworkRange reads 8-digit prefixes', async (t) => {
  t.ok(inCardNetworkRange(22210000, 16), 'Mastercard 2221')
  t.ok(inCardNetworkRange(27209999, 16), 'Mastercard 2720')
  t.notOk(inCardNetworkRange(27210000, 16), 'after Mastercard 2720')
  t.notOk(inCardNetworkRange(22210000, 15), 'Mastercard is 16 digits')
  t.ok(inCardNetworkRange(62212600, 16), 'Discover/UnionPay 622126')
  t.ok(inCardNetworkRange(37000000, 15))
  t.notOk(inCardNetworkRange(37000000, 16))
  t.notOk(inCardNetworkRange(33000000, 16))
  t.notOk(inCardNetworkRange(40000000, 20))
})
