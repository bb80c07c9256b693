import t from 'tap'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { evaluate } from '../../src/engine/evaluate.js'
import { featuresOf } from '../../src/lint/common-charge.js'
import { isOpenWarning, LintCode } from '../../src/lint/finding.js'
import type { LintFinding } from '../../src/lint/finding.js'
import { lintRuleSet } from '../../src/lint/lint-ruleset.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { compileOk, RULESET_FILE, ruleSetText } from '../helpers/rule-engine.js'
import { rootDir } from '../helpers/test-data.js'

function lint (rules: string, header = '', lists: Record<string, string[]> = {}): LintFinding[] {
  const text = ruleSetText(rules, header)
  return lintRuleSet({ ruleSet: compileOk(text, lists), file: RULESET_FILE, text })
}

t.test('rules that can never fire are errors, at the comparison that makes them impossible', async (t) => {
  const cases: Array<[string, RegExp, number]> = [
    ['currency == "thb"', /currency is compared with "thb", but currency is an upper-case ISO 4217 code/, 11],
    ['amount > 1000 && amount < 500', /no value of amount is > 1000 and < 500/, 28],
    ['"false"', /constant false/, 12],
    ['ip.version == 5', /ip.version is 4 or 6/, 11],
    ['card.bin == "4242"', /card.bin is 6 to 8 digits/, 11],
    ['card.brand == "Visa"', /lower-case/, 11],
    ['ip.country in ["th", "us"]', /upper-case ISO 3166/, 11],
    ['"amount < (currency == \\"THB\\" ? -1 : -5)"', /amount is an amount in minor units, never negative/, 12],
    ['ip.is_tor && !ip.is_tor', /ip.is_tor cannot be both true and false/, 25],
    ['description.contains("x") && !description.contains("x")', /description.contains\("x"\) cannot be both true and false/, 41],
    ['amount > 10 && amount < 11', /no value of amount is > 10 and < 11/, 26]
  ]
  for (const [when, message, column] of cases) {
    const findings = lint(`  - id: r\n    when: ${when}\n    score: 10`)
    t.match(findings, [{ code: LintCode.NEVER_FIRES, severity: 'error', rule: 'r', line: 6, column, message }], when)
  }
})

t.test('velocity counts include the charge: == 0 never fires, a distinct count can be 0', async (t) => {
  const header = 'velocity:\n  c: { count: charges, by: ip, window: 1h }\n  d: { distinct: card, by: ip, window: 1h }'
  t.match(lint('  - id: r\n    when: velocity.c == 0\n    score: 5\n  - id: s\n    when: velocity.d == 0\n    score: 5', header),
    [{ rule: 'r', code: LintCode.NEVER_FIRES, message: /at least 1/ }])
  t.equal(lint('  - id: r\n    when: velocity.c == 0\n    score: 5\n  - id: s\n    when: velocity.d == 0\n    score: 5', header).length, 1)
})

t.test('list membership: empty lists and entries riskgate never produces', async (t) => {
  const header = 'lists:\n  upper: lists/upper.txt\n  empty: lists/empty.txt'
  const findings = lint([
    '  - id: upper_email',
    '    when: email.address in lists.upper',
    '    action: block',
    '  - id: empty_member',
    '    when: customer.id in lists.empty',
    '    score: 5'
  ].join('\n'), header, { upper: ['Bad@Example.com'], empty: [] })
  t.match(findings, [
    { code: LintCode.EMPTY_LIST, line: 5, column: 3 },
    { rule: 'upper_email', code: LintCode.NEVER_FIRES, message: /no entry of lists.upper can match: email.address is a lower-case address/ },
    { rule: 'empty_member', code: LintCode.NEVER_FIRES, message: /lists.empty is empty/ }
  ])
})

t.test('satisfiable conditions are not reported', async (t) => {
  const header = 'velocity:\n  c: { count: charges, by: ip, window: 1h }\nlists:\n  l: lists/l.txt'
  const findings = lint([
    '  - id: a', '    when: ip.is_tor && amount > 500000', '    score: 10',
    '  - id: b', '    when: "amount >= (currency == \\"THB\\" ? 2000000 : 60000)"', '    score: 10',
    '  - id: c', '    when: velocity.c >= 6 || email.is_disposable', '    score: 10',
    '  - id: d', '    when: customer.id in lists.l && ip.country != card.country', '    score: 10',
    '  - id: e', '    when: items.exists(i, i.quantity > 3) && description.matches("gift ?card")', '    score: 10',
    '  - id: f', '    when: amount > 10 && amount < 12', '    score: 10',
    '  - id: g', '    when: metadata.channel == "app" && metadata.attempt > 2', '    score: 10'
  ].join('\n'), header, { l: ['cus_1'] })
  t.same(findings, [])
})

t.test('a condition that is always true is a warning', async (t) => {
  t.match(lint('  - id: r\n    when: amount >= 0\n    score: 1'), [{ rule: 'r', code: LintCode.ALWAYS_FIRES, severity: 'warning', line: 5, column: 9 }])
  t.match(lint('  - id: r\n    when: "true"\n    score: 1'), [{ rule: 'r', code: LintCode.ALWAYS_FIRES }])
  t.match(lint('  - id: r\n    when: ip.version == 4 || ip.version == 6\n    score: 1'), [{ rule: 'r', code: LintCode.ALWAYS_FIRES }])
})

t.test('action rules shadowed by another action rule', async (t) => {
  const findings = lint([
    '  - id: tor_block', '    when: ip.is_tor', '    action: block',
    '  - id: tor_big_block', '    when: ip.is_tor && amount > 100000', '    action: block',
    '  - id: tor_review', '    when: |', '      amount > 5 &&', '      ip.is_tor', '    action: review',
    '  - id: same_block', '    when: ip.is_tor', '    action: block',
    '  - id: tor_allow', '    when: ip.is_tor && amount < 100', '    action: allow'
  ].join('\n'))
  const shadowed = findings.filter((f) => f.code === LintCode.SHADOWED)
  t.match(shadowed, [
    { rule: 'tor_big_block', line: 8, message: /fires only when the earlier rule tor_block fires too \(action block\), which already blocks/ },
    { rule: 'tor_review', line: 11, message: /whose block wins over review/ },
    { rule: 'same_block', line: 16, message: /has the same condition as the earlier rule tor_block/ }
  ])
  // the earlier of two identical rules is not reported, and an allow is never shadowed by a block
  t.notOk(shadowed.some((f) => f.rule === 'tor_block' || f.rule === 'tor_allow'))
})

t.test('a rule that reads more unknown-sensitive inputs is not shadowed by it', async (t) => {
  // tor_or_vpn is skipped when ip.is_vpn is unknown (no anonymizer database) while tor fires
  const findings = lint([
    '  - id: tor_or_vpn', '    when: ip.is_tor || ip.is_vpn', '    action: block',
    '  - id: tor', '    when: ip.is_tor', '    action: block'
  ].join('\n'))
  t.notOk(findings.some((f) => f.code === LintCode.SHADOWED))
})

t.test('score rules with the same condition', async (t) => {
  t.match(lint([
    '  - id: a', '    when: ip.is_hosting && amount > 10', '    score: 10',
    '  - id: b', '    when: amount > 10 && ip.is_hosting', '    score: 15',
    '  - id: c', '    when: amount > 11 && ip.is_hosting', '    score: 15'
  ].join('\n')), [{ rule: 'b', code: LintCode.DUPLICATE_CONDITION, message: /same condition.*\(10 \+ 15\)/ }])
})

t.test('allow and block rules that can fire on the same charge come with an example the engine confirms', async (t) => {
  const header = 'velocity:\n  c: { count: charges, by: card, window: 1h }\nlists:\n  trusted: lists/trusted.txt\n  blocked: lists/blocked.txt'
  const text = ruleSetText([
    '  - id: trusted', '    when: customer.id in lists.trusted', '    action: allow',
    '  - id: storm', '    when: velocity.c >= 10', '    action: block',
    '  - id: blocked_email', '    when: email.address in lists.blocked', '    action: block',
    '  - id: thai_allow', '    when: ip.country == "TH" && card.country == "TH" && ip.country == billing.country', '    action: allow',
    '  - id: foreign_block', '    when: ip.country != card.country', '    action: block',
    '  - id: gift', '    when: description.lowerAscii().contains("gift card") && item_count >= 3', '    action: block'
  ].join('\n'), header)
  const ruleSet = compileOk(text, { trusted: ['cus_trusted'], blocked: ['bad@example.com'] })
  const findings = lintRuleSet({ ruleSet, file: RULESET_FILE, text }).filter((f) => f.code === LintCode.ALLOW_BLOCK_OVERLAP)
  // reported at the allow rule, the one that overrides: it is where an acknowledgement belongs
  const pairs = findings.map((f) => `${/block rule (\w+)/.exec(f.message)?.[1] ?? ''}/${f.rule ?? ''}`)
  t.same(pairs.sort(), [
    'blocked_email/thai_allow', 'blocked_email/trusted', 'foreign_block/trusted', 'gift/thai_allow', 'gift/trusted',
    'storm/thai_allow', 'storm/trusted'
  ])
  t.same([...new Set(findings.map((f) => `${f.rule ?? ''}@${f.line}:${f.column}`))].sort(), ['thai_allow@18:9', 'trusted@9:9'])
  for (const finding of findings) {
    t.ok(finding.example, 'every overlap has an example charge')
    const fired = evaluate(ruleSet, featuresOf(finding.example ?? {})).reasons.map((r) => r.rule)
    const block = /block rule (\w+)/.exec(finding.message)?.[1] ?? ''
    t.ok(fired.includes(finding.rule ?? '') && fired.includes(block), `both fire on the example: ${finding.message}`)
  }
  // thai_allow needs the IP and card in one country: it can never meet foreign_block
  t.notOk(pairs.includes('foreign_block/thai_allow'))
})

t.test('declared but unused lists and counters, at their declaration', async (t) => {
  const header = 'velocity:\n  used: { count: charges, by: ip, window: 1h }\n  unused: { count: charges, by: email, window: 1h }\nlists:\n  l_used: lists/a.txt\n  l_unused: lists/b.txt'
  const findings = lint('  - id: r\n    when: velocity.used > 3 && customer.id in lists.l_used\n    score: 5', header, { l_used: ['a'], l_unused: ['b'] })
  t.match(findings, [
    { code: LintCode.UNUSED_COUNTER, line: 5, column: 3, message: /unused is declared but no rule reads it/ },
    { code: LintCode.UNUSED_LIST, line: 8, column: 3, message: /l_unused is declared but no rule reads it/ }
  ])
  t.equal(findings.length, 2)
})

t.test('regular expressions: linear-time RE2, so nothing to say about backtracking; a contradiction names matches()', async (t) => {
  // each of these takes exponential time in a backtracking engine; RE2 runs them in linear time
  t.same(lint([
    '  - id: nested', '    when: description.matches("(a+)+$")', '    score: 5',
    '  - id: words', '    when: description.matches("^(\\\\w+\\\\s?)*$")', '    score: 5',
    '  - id: alternation', '    when: description.lowerAscii().matches("(gift|g.ft)*card")', '    score: 5',
    '  - id: repeated', '    when: description.matches("(.*a){20}")', '    score: 5'
  ].join('\n')), [])
  t.match(lint('  - id: r\n    when: description.matches("x") && !description.matches("x")\n    score: 5'),
    [{ code: LintCode.NEVER_FIRES, message: 'can never fire: description.matches("x") cannot be both true and false' }])
})

t.test('warnings: false finds the errors only, the same ones', async (t) => {
  const header = 'velocity:\n  unused: { count: charges, by: ip, window: 1h }'
  const text = ruleSetText([
    '  - id: never', '    when: currency == "thb"', '    score: 5',
    '  - id: always', '    when: amount >= 0', '    score: 5',
    '  - id: tor', '    when: ip.is_tor', '    action: block',
    '  - id: tor_too', '    when: ip.is_tor', '    action: block'
  ].join('\n'), header)
  const input = { ruleSet: compileOk(text), file: RULESET_FILE, text }
  const all = lintRuleSet(input)
  t.ok(all.some((f) => f.severity === 'warning'), 'warnings with the default options')
  t.same(lintRuleSet(input, { warnings: false }), all.filter((f) => f.severity === 'error'))
  t.match(lintRuleSet(input, { warnings: false }), [{ rule: 'never', code: LintCode.NEVER_FIRES }])
})

t.test('the default rule set: no errors; the shadow allow overriding blocks is reported, and acknowledged', async (t) => {
  const dir = path.join(rootDir, 'rules')
  const ruleSet = await loadRuleSet(dir)
  const findings = lintRuleSet({ ruleSet, file: ruleSet.definition.file, text: readFileSync(path.join(dir, 'ruleset.yaml'), 'utf8') })
  t.same(findings.filter((f) => f.severity === 'error'), [])
  t.ok(findings.some((f) => f.code === LintCode.ALLOW_BLOCK_OVERLAP && f.rule === 'trusted_customer' && /block rule blocked_email/.test(f.message)))
  t.ok(findings.some((f) => f.code === LintCode.ALLOW_OVERRIDES_SCORE && f.rule === 'trusted_customer'))
  // every warning is acknowledged, with a reason: none is open, none is hidden
  t.ok(findings.length >= 3)
  t.same(findings.filter(isOpenWarning), [])
  for (const f of findings) t.match(f.acknowledged, { reason: /^On purpose: .{40,}/ }, `${f.code} has its reason`)
})
