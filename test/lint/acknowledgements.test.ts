import t from 'tap'
import { isOpenWarning, LintCode } from '../../src/lint/finding.js'
import type { LintFinding } from '../../src/lint/finding.js'
import { lintRuleSet } from '../../src/lint/lint-ruleset.js'
import { compileErrors, compileOk, RULESET_FILE, ruleSetText } from '../helpers/rule-engine.js'

const HEADER = 'lists:\n  trusted: lists/trusted.txt'
const LISTS = { trusted: ['cus_trusted'] }

function lint (rules: string[], options: { warnings?: boolean } = {}, header = HEADER): LintFinding[] {
  const text = ruleSetText(rules.join('\n'), header)
  return lintRuleSet({ ruleSet: compileOk(text, LISTS), file: RULESET_FILE, text }, options)
}

const ALLOW = ['  - id: trusted', '    when: customer.id in lists.trusted', '    action: allow']
const BLOCK = ['  - id: tor_block', '    when: ip.is_tor', '    action: block']

t.test('an acknowledged warning is still reported, with its reason, and no longer open', async (t) => {
  const findings = lint([...ALLOW, '    acknowledge:', '      - warning: allow_block_overlap', '        reason: trusted customers are allowed on purpose', ...BLOCK])
  t.match(findings, [{ code: LintCode.ALLOW_BLOCK_OVERLAP, rule: 'trusted', severity: 'warning', acknowledged: { reason: 'trusted customers are allowed on purpose' } }])
  t.equal(findings.length, 1)
  t.same(findings.filter(isOpenWarning), [])
})

t.test('an acknowledgement covers its own rule and code only', async (t) => {
  const findings = lint([
    ...ALLOW, '    acknowledge: [{ warning: allow_block_overlap, reason: on purpose }]',
    '  - id: always', '    when: amount >= 0', '    score: 5',
    ...BLOCK
  ])
  t.match(findings.find((f) => f.code === LintCode.ALLOW_BLOCK_OVERLAP), { acknowledged: { reason: 'on purpose' } })
  t.match(findings.find((f) => f.code === LintCode.ALWAYS_FIRES), { rule: 'always' })
  t.equal(findings.find((f) => f.code === LintCode.ALWAYS_FIRES)?.acknowledged, undefined)
  t.equal(findings.filter(isOpenWarning).length, 1)
})

// [name, acknowledge entry of the rule `tor` (score 10, no warning), code, severity, line, column, message]
const INVALID: Array<[string, string, string, string, number, number, RegExp]> = [
  ['a warning the rule does not have', '{ warning: always_fires, reason: "it does" }', LintCode.UNNEEDED_ACKNOWLEDGEMENT, 'warning', 8, 30,
    /acknowledges always_fires, but the rule has no such warning: remove the acknowledgement/],
  ['an unknown code, with the closest', '{ warning: alwyas_fires, reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error', 8, 30,
    /alwyas_fires is not a lint warning: did you mean always_fires\? \(a rule may acknowledge: always_fires, shadowed, /],
  ['an error', '{ warning: never_fires, reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error', 8, 30, /never_fires is an error, not a warning: it cannot be acknowledged/],
  ['a warning about a list', '{ warning: unused_list, reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error', 8, 30, /unused_list is a warning about a list or a velocity counter, not about a rule/],
  ['the acknowledgement warning itself', '{ warning: unneeded_acknowledgement, reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error', 8, 30, /cannot be acknowledged/]
]

t.test('acknowledgements that acknowledge nothing', async (t) => {
  for (const [name, entry, code, severity, line, column, message] of INVALID) {
    const findings = lint(['  - id: tor', '    when: ip.is_tor', '    score: 10', `    acknowledge: [${entry}]`], {}, '')
    t.match(findings, [{ code, severity, rule: 'tor', file: RULESET_FILE, line, column, message }], name)
    t.equal(findings.length, 1, name)
  }
})

t.test('without warnings (what the service looks for), invalid codes are still errors; unneeded ones need the warnings', async (t) => {
  const rules = ['  - id: tor', '    when: ip.is_tor', '    score: 10', '    acknowledge:', '      - { warning: always_fires, reason: "x" }', '      - { warning: nope, reason: "x" }']
  t.match(lint(rules, { warnings: false }, ''), [{ code: LintCode.INVALID_ACKNOWLEDGEMENT, severity: 'error', message: /nope is not a lint warning/ }])
  t.equal(lint(rules, { warnings: false }, '').length, 1)
  t.equal(lint(rules, {}, '').length, 2)
})

// [name, acknowledge value, message, line, column]
const MALFORMED: Array<[string, string[], RegExp, number, number]> = [
  ['no reason', ['    acknowledge:', '      - warning: always_fires'], /acknowledge always_fires: a reason is required: say why this warning is accepted/, 9, 9],
  ['an empty reason', ['    acknowledge:', '      - { warning: always_fires, reason: "  " }'], /acknowledge always_fires: a reason is required/, 9, 42],
  ['no code', ['    acknowledge:', '      - reason: because'], /acknowledge: warning is required: the code of the warning/, 9, 9],
  ['not a list', ['    acknowledge: always_fires'], /acknowledge must be a list of \{ warning: <code>, with\?: \[<rule id>\.\.\.\], reason: "why it is accepted" \}/, 8, 18],
  ['an unknown key, with the closest', ['    acknowledge:', '      - { warning: always_fires, reasn: "x" }'], /unknown key "reasn" in an acknowledgement: did you mean reason\?/, 9, 34],
  ['twice the same code', ['    acknowledge:', '      - { warning: always_fires, reason: "a" }', '      - { warning: always_fires, reason: "b" }'], /acknowledge always_fires: acknowledged twice in this rule/, 10, 20]
]

t.test('an acknowledgement is { warning, reason }: anything else is a compile error at its place', async (t) => {
  for (const [name, lines, message, line, column] of MALFORMED) {
    const errors = compileErrors(ruleSetText(['  - id: always', '    when: amount >= 0', '    score: 5', ...lines].join('\n')))
    t.ok(errors.length > 0, name)
    t.match(errors[0], { rule: 'always', line, column, message }, name)
  }
})

t.test('acknowledgements do not change the rule set hash (they do not change decisions)', async (t) => {
  const base = ['  - id: always', '    when: amount >= 0', '    score: 5']
  const plain = compileOk(ruleSetText(base.join('\n'), HEADER), LISTS)
  const acknowledged = compileOk(ruleSetText([...base, '    acknowledge: [{ warning: always_fires, reason: "a base score" }]'].join('\n'), HEADER), LISTS)
  t.equal(acknowledged.hash, plain.hash)
  t.same(acknowledged.rules[0]?.acknowledge, [{ warning: 'always_fires', reason: 'a base score', line: 9, column: 30 }])
})

t.test('with: an acknowledgement of a warning about two rules names the other ones; a new one is open again', async (t) => {
  const STORM = ['  - id: big_block', '    when: amount > 1000000', '    action: block']
  const rules = (entry: string): string[] => [...ALLOW, `    acknowledge: [${entry}]`, ...BLOCK, ...STORM]
  const named = lint(rules('{ warning: allow_block_overlap, with: [tor_block], reason: "VIPs pass Tor checks" }'))
  const overlaps = named.filter((f) => f.code === LintCode.ALLOW_BLOCK_OVERLAP)
  t.same(overlaps.map((f) => [f.related, f.acknowledged?.reason]), [['tor_block', 'VIPs pass Tor checks'], ['big_block', undefined]])
  t.same(named.filter(isOpenWarning).map((f) => f.related), ['big_block'], 'the block rule the acknowledgement does not name stays open')

  const all = lint(rules('{ warning: allow_block_overlap, with: [tor_block, big_block], reason: "on purpose" }'))
  t.same(all.filter(isOpenWarning), [])

  const any = lint(rules('{ warning: allow_block_overlap, reason: "any block rule" }'))
  t.same(any.filter(isOpenWarning), [], 'without with: every block rule')
})

// [name, acknowledge entry of `trusted` (which overrides tor_block only), code, severity, message]
const WITH: Array<[string, string, string, string, RegExp]> = [
  ['a rule that does not overlap', '{ warning: allow_block_overlap, with: [tor_block, never_block], reason: "x" }', LintCode.UNNEEDED_ACKNOWLEDGEMENT, 'warning',
    /^acknowledges allow_block_overlap with never_block, but the rule has no such warning with never_block: remove it from with:$/],
  ['a rule that does not exist', '{ warning: allow_block_overlap, with: [tor_blok], reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error',
    /^acknowledge: with: no rule tor_blok in this set: did you mean tor_block\?$/],
  ['the rule itself', '{ warning: allow_block_overlap, with: [trusted], reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error', /with names the rule itself/],
  ['a warning about one rule', '{ warning: allow_overrides_score, with: [tor_block], reason: "x" }', LintCode.INVALID_ACKNOWLEDGEMENT, 'error',
    /allow_overrides_score is about this rule alone: with names other rules only for shadowed, duplicate_condition, allow_block_overlap/]
]

t.test('with: what it may name', async (t) => {
  // a review rule: the allow overrides no block there
  const NEVER = ['  - id: never_block', '    when: amount > 1000000', '    action: review']
  for (const [name, entry, code, severity, message] of WITH) {
    const findings = lint([...ALLOW, `    acknowledge: [${entry}]`, ...BLOCK, ...NEVER]).filter((f) => f.code === code)
    t.match(findings, [{ severity, rule: 'trusted', line: 9, column: 30, message }], name)
  }
  const errors = compileErrors(ruleSetText([...ALLOW, '    acknowledge: [{ warning: allow_block_overlap, with: { a: 1 }, reason: "x" }]'].join('\n'), HEADER), LISTS)
  t.match(errors, [{ rule: 'trusted', message: /acknowledge allow_block_overlap: with must be a rule id or a list of rule ids/ }])
})
