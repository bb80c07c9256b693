import t from 'tap'
import fc from 'fast-check'
import { isLuhnValid, luhnCheckDigit } from '../../src/security/luhn.js'

t.test('isLuhnValid', async (t) => {
  t.ok(isLuhnValid('4242424242424242'))
  t.ok(isLuhnValid('378282246310005'))
  t.notOk(isLuhnValid('4242424242424241'))
  t.notOk(isLuhnValid(''))
  t.notOk(isLuhnValid('42a2'))
})

t.test('luhnCheckDigit makes any digit string Luhn-valid, and only that digit does', async (t) => {
  t.equal(luhnCheckDigit('424242424242424'), 2)
  t.throws(() => luhnCheckDigit('42x'))
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 25 }), (digits) => {
    const body = digits.join('')
    const check = luhnCheckDigit(body)
    for (let d = 0; d <= 9; d++) {
      if (isLuhnValid(body + String(d)) !== (d === check)) return false
    }
    return true
  }))
})
