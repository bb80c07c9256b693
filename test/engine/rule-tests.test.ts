import t from 'tap'
import { formatRuleTestResult, parseRuleTests, runRuleTests } from '../../src/engine/rule-tests.js'
import { compileOk, ruleSetText } from '../helpers/rule-engine.js'

const set = compileOk(ruleSetText([
  '  - id: tor',
  '    when: ip.is_tor',
  '    score: 60',
  '  - id: vpn',
  '    when: ip.is_vpn',
  '    score: 30',
  '  - id: vel',
  '    when: velocity.ip_1h > 5',
  '    score: 10',
  '  - id: trusted',
  '    when: customer.id == "c1"',
  '    action: allow',
  '    mode: shadow'
].join('\n'), 'velocity:\n  ip_1h: { count: charges, by: ip, window: 1h }'))

const FILE = 'rules/tests/t.yaml'

function run (yaml: string) {
  const parsed = parseRuleTests(FILE, yaml)
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join('; '))
  return runRuleTests(set, parsed.cases)
}

t.test('a passing case', async (t) => {
  const [result] = run([
    '- name: tor and vpn',
    '  features:',
    '    ip: { is_tor: true, is_vpn: true }',
    '    customer: { id: c1 }',
    '    velocity: { ip_1h: 2 }',
    '  expect:',
    '    decision: block',
    '    score: 90',
    '    fired: [tor, vpn]',
    '    not_fired: [vel]',
    '    shadow: { decision: allow, score: 90, fired: [trusted] }'
  ].join('\n'))
  t.equal(result?.passed, true, result?.failures.join('\n') ?? 'no result')
  t.equal(result && formatRuleTestResult(result), 'rules/tests/t.yaml:1 "tor and vpn": ok')
})

t.test('each failed expectation says what was expected and what happened', async (t) => {
  const cases: Array<[string, string[], RegExp]> = [
    ['wrong decision', ['ip: { is_tor: true }'], /^decision: expected block, got review \(score 60; fired: tor\)$/],
    ['wrong score', ['ip: { is_tor: true }'], /^score: expected 70, got 60/],
    ['missing rule skipped', ['ip: {}'], /^fired: expected tor to fire, but skipped: unknown ip\.is_tor$/],
    ['missing rule false', ['ip: { is_tor: false }'], /^fired: expected tor to fire, but its condition was false$/],
    ['unexpected rule', ['ip: { is_tor: true, is_vpn: true }'], /^fired: vpn fired but is not expected/],
    ['not fired', ['ip: { is_tor: true }'], /^not_fired: tor fired$/],
    ['skipped', ['ip: { is_tor: true }'], /^skipped: expected tor to be skipped, but it was evaluated \(and fired\)$/],
    ['shadow', ['ip: { is_tor: true }', 'customer: { id: c1 }'], /^shadow\.decision: expected review, got allow/],
    ['unknown rule', ['ip: { is_tor: true }'], /^rule nope does not exist in the rule set$/],
    ['undeclared counter', ['ip: { is_tor: true }', 'velocity: { ip_24h: 3 }'], /^features\.velocity\.ip_24h is not a counter of the rule set/]
  ]
  const expects: Record<string, string[]> = {
    'wrong decision': ['decision: block', 'fired: [tor]'],
    'wrong score': ['decision: review', 'score: 70', 'fired: [tor]'],
    'missing rule skipped': ['decision: allow', 'fired: [tor]'],
    'missing rule false': ['decision: allow', 'fired: [tor]'],
    'unexpected rule': ['decision: block', 'fired: [tor]'],
    'not fired': ['decision: review', 'fired: [tor]', 'not_fired: [tor]'],
    skipped: ['decision: review', 'fired: [tor]', 'skipped: [tor]'],
    shadow: ['decision: review', 'fired: [tor]', 'shadow: review'],
    'unknown rule': ['decision: review', 'fired: [tor]', 'not_fired: [nope]'],
    'undeclared counter': ['decision: review', 'fired: [tor]']
  }
  for (const [name, features, failure] of cases) {
    const yaml = [`- name: ${name}`, '  features:', ...features.map((f) => `    ${f}`), '  expect:', ...(expects[name] ?? []).map((e) => `    ${e}`)].join('\n')
    const [result] = run(yaml)
    t.equal(result?.passed, false, `${name} fails`)
    t.match(result?.failures, [failure], name)
  }
})

t.test('defaults: the charge has only its required fields; item_count follows the items', async (t) => {
  const parsed = parseRuleTests(FILE, '- name: d\n  features:\n    items: [{ quantity: 2 }, { name: x }]\n  expect: { decision: allow, fired: [] }\n')
  t.same(parsed.errors, [])
  t.match(parsed.cases[0]?.features, { amount: 0, currency: 'THB', item_count: 3, ip: { address: '203.0.113.10', version: 4, is_private: false }, customer: {} })
  t.equal(parsed.cases[0]?.features.card, undefined)
  t.equal(parsed.cases[0]?.features.velocity, undefined)
})

t.test('test files with mistakes are reported at file:line:col', async (t) => {
  const cases: Array<[string, string, number, number, RegExp]> = [
    ['not a list', 'name: x\n', 1, 1, /a list of cases/],
    ['unknown feature', '- name: a\n  features:\n    ip: { is_torr: true }\n  expect: { decision: allow, fired: [] }\n', 3, 11, /unknown key "is_torr" in features\.ip/],
    ['wrong type', '- name: a\n  features:\n    amount: "12"\n  expect: { decision: allow, fired: [] }\n', 3, 13, /features\.amount must be an integer/],
    ['bad decision', '- name: a\n  expect: { decision: deny, fired: [] }\n', 2, 23, /expect\.decision must be one of/],
    ['fired missing', '- name: a\n  expect: { decision: allow }\n', 2, 11, /expect\.fired is required/],
    ['no name', '- features: {}\n  expect: { decision: allow, fired: [] }\n', 1, 3, /needs a name/],
    ['duplicate name', '- name: a\n  expect: { decision: allow, fired: [] }\n- name: a\n  expect: { decision: allow, fired: [] }\n', 3, 3, /duplicate test case name/],
    ['lists are not features', '- name: a\n  features:\n    lists: {}\n  expect: { decision: allow, fired: [] }\n', 3, 5, /unknown key "lists"/]
  ]
  for (const [name, yaml, line, column, message] of cases) {
    const { errors } = parseRuleTests(FILE, yaml)
    t.match(errors, [{ file: FILE, line, column, message }], name)
    t.equal(errors.length, 1, `${name}: one error`)
  }
})
