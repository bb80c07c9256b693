import t from 'tap'
import fc from 'fast-check'
import { CARD_NUMBER_PLACEHOLDER, containsCardNumber, isLuhnValid, scrubCardNumbers } from '../../src/security/luhn.js'

const cases: Array<[string, string]> = [
  ['card 4242 4242 4242 4242 please', `card ${CARD_NUMBER_PLACEHOLDER} please`],
  ['pan 4111111111111111', `pan ${CARD_NUMBER_PLACEHOLDER}`],
  ['amex 3782-822463-10005 done', `amex ${CARD_NUMBER_PLACEHOLDER} done`],
  ['order 4111111111111112 (not luhn)', 'order 4111111111111112 (not luhn)'],
  ['phone +66 81 234 5678', 'phone +66 81 234 5678'],
  ['12 digits 424242424242', '12 digits 424242424242'],
  ['20 digits 42424242424242424242', '20 digits 42424242424242424242'],
  ['two 4242424242424242 and 5555555555554444', `two ${CARD_NUMBER_PLACEHOLDER} and ${CARD_NUMBER_PLACEHOLDER}`],
  ['no digits at all', 'no digits at all']
]

t.test('scrubs Luhn-valid 13-19 digit runs only', async (t) => {
  for (const [input, expected] of cases) t.equal(scrubCardNumbers(input), expected, input)
})

t.test('isLuhnValid', async (t) => {
  t.ok(isLuhnValid('4242424242424242'))
  t.notOk(isLuhnValid('4242424242424241'))
  t.notOk(isLuhnValid(''))
  t.notOk(isLuhnValid('42a2'))
})

t.test('a scrubbed text never contains a card number', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(fc.string(), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }), fc.string(), (pre, digits, post) => {
    // make the digits Luhn-valid by choosing the check digit
    const body = digits.join('')
    let check = 0
    while (!isLuhnValid(body + String(check))) check++
    const text = `${pre} ${body}${check} ${post}`
    return !containsCardNumber(scrubCardNumbers(text))
  })))
})
