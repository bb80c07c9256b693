import t from 'tap'
import fc from 'fast-check'
import { CARD_NUMBER_PLACEHOLDER, containsCardNumber, findCardNumberSpans, numberHoldsCardNumber, scrubCardNumbers } from '../../src/security/scrub-card-numbers.js'
import { luhnCheckDigit } from '../../src/security/luhn.js'
import { NO_NETWORK_PREFIXES, RENDERING_SEPARATORS, asciiDigits, cardInText, cardNumber, rendering } from './card-number-arbitraries.js'

const P = CARD_NUMBER_PLACEHOLDER

t.test('the placeholder', async (t) => {
  t.equal(P, '[card]')
})

const cases: Array<[string, string]> = [
  ['card 4242 4242 4242 4242 please', `card ${P} please`],
  ['pan 4111111111111111', `pan ${P}`],
  ['amex 3782-822463-10005 done', `amex ${P} done`],
  ['order 4111111111111112 (not luhn)', 'order 4111111111111112 (not luhn)'],
  ['phone +66 81 234 5678', 'phone +66 81 234 5678'],
  ['12 digits 424242424242', '12 digits 424242424242'],
  ['two 4242424242424242 and 5555555555554444', `two ${P} and ${P}`],
  ['no digits at all', 'no digits at all'],
  // the faults users found
  ['4111 1111 1111 1111 12/27', `${P} 12/27`],
  ['qty 2 4111111111111111', `qty 2 ${P}`],
  ['qty 2 4111 1111 1111 1111 12/27 thanks', `qty 2 ${P} 12/27 thanks`],
  ['4111.1111.1111.1111', P],
  ['4111/1111/1111/1111', P],
  ['4111  1111  1111  1111', P],
  ['4111\u00A01111\u00A01111\u00A01111', P],
  ['４１１１ １１１１ １１１１ １１１１', P],
  ['4111-1111.1111 1111', P],
  ['4111\u200B1111\u200B1111\u200B1111', P],
  ['๔๑๑๑๑๑๑๑๑๑๑๑๑๑๑๑ บาท', `${P} บาท`],
  ['𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏', P],
  // windows: a card number inside a longer run of digits
  ['20 digits 42424242424242424242', `20 digits ${P}`],
  ['ref 99994242424242424242', `ref 9999${P}`],
  // 13 digits and a leading 1 are card numbers in free text (only a whole identifier is spared)
  ['legacy Visa 4222222222222 ok', `legacy Visa ${P} ok`],
  ['UATP 100000000000009', `UATP ${P}`],
  // what is not a card number is kept
  ['ord-1764867701237-5 shipped', 'ord-1764867701237-5 shipped'],
  ['EAN 8850999320007', 'EAN 8850999320007'],
  ['uuid 0191d3c4-5a6b-7c8d-9e0f-123456789012', 'uuid 0191d3c4-5a6b-7c8d-9e0f-123456789012']
]

t.test('scrubs card numbers in any rendering, keeps the rest', async (t) => {
  for (const [input, expected] of cases) t.equal(scrubCardNumbers(input), expected, JSON.stringify(input))
})

t.test('spans cover the card number and its inner separators only', async (t) => {
  t.same(findCardNumberSpans('x 4242-4242-4242-4242 y'), [2, 21])
  t.same(findCardNumberSpans('𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐!'), [0, 32], 'surrogate pairs')
  t.equal(findCardNumberSpans('no card 1234567890123'), null)
})

/** The text with its digits in ASCII and the renderings' separators removed. */
const squeeze = (text: string): string => asciiDigits(text).replace(RENDERING_SEPARATORS, '')

t.test('property: no generated card number survives scrubbing, in any rendering, with any neighbours', async (t) => {
  let runs = 0
  let survived = 0
  fc.assert(fc.property(cardInText, fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), ({ card, rendering, text }, pre, post) => {
    runs++
    const scrubbed = scrubCardNumbers(`${pre} ${text} ${post}`)
    const ok = !scrubbed.includes(rendering.text) && !squeeze(scrubbed).includes(card.digits) && !containsCardNumber(scrubbed)
    if (!ok) survived++
    return ok
  }), { numRuns: 20_000 })
  t.equal(survived, 0)
  t.comment(`${runs} card numbers in text, ${survived} survived`)
})

t.test('property: scrubbing keeps every character outside card numbers', async (t) => {
  fc.assert(fc.property(cardInText, fc.stringMatching(/^[a-z .,]{0,20}$/), ({ text }, words) => {
    const scrubbed = scrubCardNumbers(`${words}${text}${words}`)
    return scrubbed.startsWith(words) && scrubbed.endsWith(words) && scrubbed.includes(P)
  }), { numRuns: 2_000 })
})

t.test('property: a scrubbed text is left as it is by a second scrub', async (t) => {
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 -./abc'), maxLength: 80 }), (text) => {
    const once = scrubCardNumbers(text)
    return scrubCardNumbers(once) === once && !containsCardNumber(once)
  }), { numRuns: 5_000 })
})

// Luhn-valid numbers in no network's range are kept (see card-number.test.ts): a 13-19 digit
// reference, timestamp or barcode passes the Luhn check one time in ten, and is not a card number
// unless a network issues numbers that begin with its digits. (Inside a longer number, every
// 13-19 digit window is checked: a number made of 0s and 7s has no window in any range.)
t.test('a Luhn-valid number in no network range is not scrubbed', async (t) => {
  const luhnValid = (partial: string): string => partial + String(luhnCheckDigit(partial))
  fc.assert(fc.property(
    fc.constantFrom(...NO_NETWORK_PREFIXES), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }),
    (prefix, rest) => {
      const number = luhnValid((prefix + rest.join('')).slice(0, 12)) // 13 digits: its only window
      return scrubCardNumbers(`ref ${number} ok`) === `ref ${number} ok`
    }
  ))
  fc.assert(fc.property(
    fc.integer({ min: 13, max: 19 }).chain((length) => fc.array(fc.constantFrom('0', '7'), { minLength: length - 1, maxLength: length - 1 })),
    (digits) => {
      const number = luhnValid(digits.join(''))
      return scrubCardNumbers(`ref ${number} ok`) === `ref ${number} ok`
    }
  ))
  t.equal(scrubCardNumbers('ref 0000000000000000'), 'ref 0000000000000000')
})

t.test('property: renderings of a card number are each found alone', async (t) => {
  fc.assert(fc.property(cardNumber.chain((card) => rendering(card)), (r) => scrubCardNumbers(r.text) === P), { numRuns: 5_000 })
})

t.test('numbers (metadata values) that hold a card number', async (t) => {
  t.ok(numberHoldsCardNumber(4111111111111111))
  t.ok(numberHoldsCardNumber(-4111111111111111))
  t.ok(numberHoldsCardNumber(Number('4111111111111111119')), 'beyond 2^53: 19 digits whose leading digits are a network range')
  t.notOk(numberHoldsCardNumber(Number('24111111111111111')), 'beyond 2^53: 17 digits in no range for 17 digits')
  t.notOk(numberHoldsCardNumber(1764867701237), 'a millisecond timestamp')
  t.notOk(numberHoldsCardNumber(1764867701237000000), 'a nanosecond timestamp')
  t.notOk(numberHoldsCardNumber(4111111111111112), 'Luhn check fails')
  t.notOk(numberHoldsCardNumber(129900))
  t.notOk(numberHoldsCardNumber(Number.NaN))
})
