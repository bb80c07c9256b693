import t from 'tap'
import { checkRegex } from '../../src/lint/regex-risk.js'

t.test('exponential shapes are reported', async (t) => {
  const risky: Array<[string, string]> = [
    ['(a+)+$', 'nested_quantifier'],
    ['(a*)*b', 'nested_quantifier'],
    ['^(\\w+\\s?)*$', 'nested_quantifier'],
    ['(x+x+)+y', 'nested_quantifier'],
    ['([a-z]+)*$', 'nested_quantifier'],
    ['(.*,)+x', 'nested_quantifier'],
    ['(?:\\d+)+-', 'nested_quantifier'],
    ['(.*a){20}', 'nested_quantifier'],
    ['(a|a)*b', 'overlapping_alternation'],
    ['(\\d|\\w)+$', 'overlapping_alternation'],
    ['(a|[abc])*z', 'overlapping_alternation'],
    ['(gift|g.ft)*card', 'overlapping_alternation'],
    ['(?:ab|a[b-c])+$', 'overlapping_alternation']
  ]
  for (const [pattern, kind] of risky) {
    const check = checkRegex(pattern)
    t.match(check, { ok: false, risk: { kind } }, pattern)
  }
})

t.test('linear patterns are not reported', async (t) => {
  for (const pattern of [
    'gift ?card', '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', '(\\w+\\s)+$', '(ab+)+', '(a|b)+', '(a|ab)*c',
    '^(\\d+)-(\\d+)$', 'a{2,}', '^(?:[a-z]+\\.)+[a-z]+$', '[^@]+@[^@]+', '(?:voucher|top-?up|e-?pin)', '\\b(\\d{4})\\b', '^\\+?[0-9 ]{6,20}$'
  ]) t.same(checkRegex(pattern), { ok: true }, pattern)
})

t.test('invalid patterns say why, as the engine would fail on them', async (t) => {
  t.match(checkRegex('('), { ok: false, invalid: /Unterminated group/ })
  t.match(checkRegex('[a-'), { ok: false, invalid: /Invalid regular expression/ })
  t.match(checkRegex('a**'), { ok: false, invalid: /Nothing to repeat/ })
})

t.test('the message names the repeated parts', async (t) => {
  t.match(checkRegex('^(\\w+\\s?)*$'), { ok: false, risk: { index: 1, message: /"\\w\+" repeats inside the repeated "\(\\w\+\\s\?\)\*"/ } })
})
