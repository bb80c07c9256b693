import t from 'tap'
import { findForeignSyntax } from '../../src/engine/cel-idioms.js'
import { compileErrors, compileOk } from '../helpers/rule-engine.js'

const HEAD = [
  'version: "t.1"',
  'thresholds: { review: 50, block: 80 }',
  'velocity:',
  '  charges_per_ip_1h: { count: charges, by: ip, window: 1h }',
  '  cards_per_email_24h: { distinct: card, by: email, window: 24h }',
  'lists:',
  '  blocked_emails: lists/blocked.txt',
  'rules:',
  '  - id: r' //                              line 9
]
const LISTS = { blocked_emails: ['a@example.com'] }
/** the condition is on line 10, from column 11 (single-quoted in YAML: from column 12) */
const CONDITION_LINE = 10

function errorsOf (condition: string): Array<{ line: number, column: number, message: string }> {
  const text = [...HEAD, `    when: '${condition.replaceAll('\'', '\'\'')}'`, '    score: 10', ''].join('\n')
  return compileErrors(text, LISTS).map((e) => ({ line: e.line, column: e.column, message: e.message }))
}

/** the column of `needle` (a whole word, when it is one) in the condition as the file holds it */
function columnOf (condition: string, needle: string | RegExp): number {
  const pattern = typeof needle !== 'string' ? needle : /^\w+$/.test(needle) ? new RegExp(`\\b${needle}\\b`) : new RegExp(needle.replace(/[|()[\]]/g, '\\$&'))
  const at = pattern.exec(condition)?.index
  if (at === undefined) throw new Error(`${String(needle)} is not in ${condition}`)
  return 12 + at
}

// [condition, where (text in the condition), message]: "did you mean" over the catalog, declared counters and lists
const NAMES: Array<[string, string, RegExp]> = [
  ['country == "TH"', 'country', /^type error: Unknown variable: country \(did you mean ip\.country, card\.country, billing\.country or shipping\.country\?\)$/],
  ['ip.countyr == "TH"', 'countyr', /^type error: No such key: countyr \(did you mean ip\.country\?\)$/],
  ['billing.contry == "TH"', 'contry', /\(did you mean billing\.country\?\)$/],
  ['email.adress in lists.blocked_emails', 'adress', /\(did you mean email\.address\?\)$/],
  ['amout > 100', 'amout', /Unknown variable: amout \(did you mean amount\?\)$/],
  ['Amount > 100', 'Amount', /\(did you mean amount\?\)$/],
  ['cardd.country == "TH"', 'cardd', /\(did you mean card\?\)$/],
  ['is_tor', 'is_tor', /Unknown variable: is_tor \(did you mean ip\.is_tor\?\)$/],
  ['is_torr', 'is_torr', /\(did you mean ip\.is_tor\?\)$/],
  ['items.exists(i, i.categroy == "gift")', 'categroy', /No such key: categroy \(did you mean i\.category\?\)$/],
  ['velocity.charges_per_ip_h1 >= 6', 'charges_per_ip_h1', /^velocity\.charges_per_ip_h1 is not declared under velocity: did you mean velocity\.charges_per_ip_1h\? \(declared: charges_per_ip_1h, cards_per_email_24h\)$/],
  ['velocity.card_per_email_24h >= 3', 'card_per_email_24h', /did you mean velocity\.cards_per_email_24h\?/],
  ['email.address in lists.blocked_email', 'blocked_email', /^lists\.blocked_email is not declared under lists: did you mean lists\.blocked_emails\? \(declared: blocked_emails\)$/],
  ['description.lowercase() == "x"', 'description', /found no matching overload for 'string\.lowercase\(\)' \(did you mean lowerAscii\?\)$/],
  ['description.length() > 3', 'description', /\(did you mean size\?\)$/],
  ['description.startswith("x")', 'description', /\(did you mean startsWith\?\)$/],
  // nothing close: no suggestion, the message as before
  ['velocity.nope > 1', 'nope', /^velocity\.nope is not declared under velocity: \(declared: /],
  ['xyzzy > 1', 'xyzzy', /^type error: Unknown variable: xyzzy$/]
]

t.test('unknown fields, counters, lists and functions: did you mean, at file:line:col', async (t) => {
  for (const [condition, where, message] of NAMES) {
    const errors = errorsOf(condition)
    t.equal(errors.length, 1, `${condition}: one error`)
    t.match(errors[0], { line: CONDITION_LINE, column: columnOf(condition, where), message }, condition)
  }
})

// [condition, where, message]: SQL, Python and JavaScript ways, and what to write instead
const FOREIGN: Array<[string, Array<[string | RegExp, RegExp]>]> = [
  ['ip.is_tor and amount > 100', [['and', /^syntax error: CEL's "and" is &&: write && instead of and$/]]],
  ['ip.is_tor AND amount > 100', [['AND', /write && instead of AND$/]]],
  ['ip.is_tor or ip.is_vpn', [['or', /^syntax error: CEL's "or" is \|\|: write \|\| instead of or$/]]],
  ['not ip.is_tor', [['not', /^syntax error: CEL's "not" is !: write ! instead of not \(in YAML, quote a condition that starts with !: when: "!ip.is_tor"\)$/]]],
  ['amount > 100 and not ip.is_tor', [['and', /write && instead of and$/], ['not', /write ! instead of not$/]]],
  ['ip.country = "TH"', [['=', /^syntax error: CEL compares with ==, not =: write == /]]],
  ['ip.country == "TH" && amount = 5', [[/(?<![=!<>])=(?!=)/, /write ==/]]],
  ['ip.country === "TH"', [['===', /write == instead of ===/]]],
  ['ip.country !== "TH"', [['!==', /write != instead of !==/]]],
  ['ip.country <> "TH"', [['<>', /^syntax error: CEL writes "not equal" as !=: write != instead of <>$/]]],
  ['ip.country in ("NG","GH")', [['(', /^syntax error: a list is written in square brackets in CEL: write in \["NG","GH"\] instead of in \("NG","GH"\)$/]]],
  ['ip.country in ("NG", "GH", )', [['(', /write in \["NG", "GH"\]/]]],
  ['ip.country in ("NG")', [['(', /write in \["NG"\] instead of in \("NG"\)/]]],
  ['amount in (100, 200)', [['(', /write in \[100, 200\]/]]],
  ['ip.country not in ["TH"]', [['not', /^syntax error: CEL has no "not in": write !\(x in \[\.\.\.\]\)/]]],
  ['ip.country is null', [['is', /^syntax error: CEL has no "is null": test presence with has\(\)/]]],
  ['ip.is_tor == True', [['True', /^syntax error: CEL writes true in lower case: write true instead of True$/]]],
  ['ip.country == None', [['None', /write null instead of None/]]],
  ['ip.is_tor & ip.is_vpn', [['&', /write && instead of &$/]]],
  ['ip.is_tor | ip.is_vpn', [['|', /write \|\| instead of \|$/]]]
]

t.test('conditions written the SQL or Python way say what to write instead, at the construct', async (t) => {
  for (const [condition, expected] of FOREIGN) {
    const errors = errorsOf(condition)
    t.same(errors.length, expected.length, `${condition}: ${errors.map((e) => e.message).join(' | ')}`)
    expected.forEach(([where, message], i) => {
      t.match(errors[i], { line: CONDITION_LINE, column: columnOf(condition, where), message }, `${condition}: ${where}`)
    })
  }
})

t.test('words inside strings, field names and valid CEL are not foreign syntax', async (t) => {
  const valid = [
    'description.contains("and or not = <> in (1, 2)")',
    'metadata.and == "x" || metadata.or == 1',
    'ip.country in ["NG", "GH"]',
    'email.address in (lists.blocked_emails)',
    '!(ip.country in ["TH"]) && ip.is_tor == true',
    'description.matches(r"a|b") // or not',
    'description == \'\'\'and "or" = \'\'\''
  ]
  for (const condition of valid) t.same(findForeignSyntax(condition), [], condition)
  for (const condition of valid.slice(0, 6)) {
    t.doesNotThrow(() => compileOk([...HEAD, `    when: '${condition.replaceAll('\'', '\'\'')}'`, '    score: 10', ''].join('\n'), LISTS), condition)
  }
})

t.test('a condition in a block scalar: the position is the construct\'s line and column', async (t) => {
  const text = [...HEAD, '    when: |', '      ip.is_tor &&', '      ip.country in ("NG", "GH")', '    score: 10', ''].join('\n')
  t.match(compileErrors(text, LISTS), [{ line: 12, column: 21, message: /write in \["NG", "GH"\]/ }])
})

// [velocity declaration, message]: counter keys are feature paths too
const KEYS: Array<[string, RegExp]> = [
  ['{ count: charges, by: ip.adress, window: 1h }', /"by" must name .*; got "ip\.adress" \(did you mean ip\.address\?\)$/],
  ['{ count: charges, by: [card.bin, ipp], window: 1h }', /got "ipp" \(did you mean ip\?\)$/],
  ['{ count: charges, by: country, window: 1h }', /got "country" \(did you mean ip\.country, card\.country, billing\.country or shipping\.country\?\)$/],
  ['{ distinct: fingerprint, by: ip, window: 1h }', /distinct must name .* \(did you mean card\.fingerprint\?\)$/],
  ['{ count: charges, by: ip, windw: 1h }', /unknown key "windw" in velocity c: did you mean window\?/]
]

t.test('velocity keys: did you mean, at the key', async (t) => {
  for (const [declaration, message] of KEYS) {
    const errors = compileErrors(['version: "t.1"', 'thresholds: { review: 50, block: 80 }', 'velocity:', `  c: ${declaration}`, 'rules: []', ''].join('\n'))
    t.match(errors[0], { line: 4, message }, declaration)
  }
})
