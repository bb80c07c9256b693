import t from 'tap'
import { evaluate } from '../../src/engine/evaluate.js'
import { featuresOf } from '../../src/lint/common-charge.js'
import { LintCode } from '../../src/lint/finding.js'
import type { LintFinding } from '../../src/lint/finding.js'
import { lintRuleSet } from '../../src/lint/lint-ruleset.js'
import { compileOk, RULESET_FILE, ruleSetText } from '../helpers/rule-engine.js'

const HEADER = 'velocity:\n  cards: { distinct: card, by: ip, window: 1h }\nlists:\n  trusted: lists/trusted.txt'
const LISTS = { trusted: ['cus_trusted'] }
const TRUSTED = ['  - id: trusted', '    when: customer.id in lists.trusted', '    action: allow']

function overrides (rules: string[], header = HEADER): LintFinding[] {
  const text = ruleSetText(rules.join('\n'), header)
  return lintRuleSet({ ruleSet: compileOk(text, LISTS), file: RULESET_FILE, text }).filter((f) => f.code === LintCode.ALLOW_OVERRIDES_SCORE)
}

// [name, rules after the allow rule, whether the allow can meet a score >= block (80)]
const CASES: Array<[string, string[], boolean]> = [
  ['one score rule reaching the threshold', ['  - id: tor', '    when: ip.is_tor', '    score: 80'], true],
  ['two score rules adding up to it', ['  - id: tor', '    when: ip.is_tor', '    score: 50', '  - id: cards', '    when: velocity.cards >= 3', '    score: 30'], true],
  ['scores that cannot reach it', ['  - id: tor', '    when: ip.is_tor', '    score: 50', '  - id: vpn', '    when: ip.is_vpn', '    score: 29'], false],
  ['scores that reach it only on exclusive conditions', ['  - id: small', '    when: amount < 100', '    score: 50', '  - id: big', '    when: amount > 1000', '    score: 50'], false],
  ['a score rule that contradicts the allow', ['  - id: not_trusted', '    when: "!(customer.id in lists.trusted)"', '    score: 90'], false],
  ['shadow score rules do not count for a live allow', ['  - id: tor', '    when: ip.is_tor', '    score: 90', '    mode: shadow'], false],
  ['negative scores are not counted on', ['  - id: good', '    when: ip.country == "TH"', '    score: -50'], false]
]

t.test('an allow rule that can fire on a charge whose score reaches the block threshold', async (t) => {
  for (const [name, rules, expected] of CASES) {
    const found = overrides([...TRUSTED, ...rules])
    t.equal(found.length, expected ? 1 : 0, name)
    if (!expected) continue
    t.match(found[0], { severity: 'warning', rule: 'trusted', line: 8, column: 9, message: /score reaches the block threshold \(80\), and allow wins: for example customer\.id = "cus_trusted"/ }, name)
    // the example is a charge of the whole set on which the allow fires with a score >= 80
    const result = evaluate(compileOk(ruleSetText([...TRUSTED, ...rules].join('\n'), HEADER), LISTS), featuresOf(found[0]?.example ?? {}))
    t.equal(result.decision, 'allow', name)
    t.ok(result.score >= 80, `${name}: score ${result.score}`)
  }
})

t.test('a shadow allow counts live and shadow scores, as the shadow decision does', async (t) => {
  const found = overrides([...TRUSTED, '    mode: shadow', '  - id: tor', '    when: ip.is_tor', '    score: 50', '    mode: shadow', '  - id: cards', '    when: velocity.cards >= 3', '    score: 30'])
  t.match(found, [{ rule: 'trusted', message: /allow wins \(in the shadow decision\).*\(score 80: cards 30, tor 50\)/ }])
})

t.test('a block threshold of 0: every allow overrides it', async (t) => {
  const text = ['version: "t"', 'thresholds: { review: 0, block: 0 }', HEADER, 'rules:', ...TRUSTED].join('\n')
  const found = lintRuleSet({ ruleSet: compileOk(text, LISTS), file: RULESET_FILE, text }).filter((f) => f.code === LintCode.ALLOW_OVERRIDES_SCORE)
  t.match(found, [{ rule: 'trusted', message: /threshold \(0\).*\(score 0\)/ }])
})
