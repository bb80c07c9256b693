import t from 'tap'
import { ActionFlag, actionFlagsOf, decide, decideAs, decideEngine1 } from '../../src/engine/decide.js'
import { ENGINE_VERSION, EngineVersion } from '../../src/engine/engine-version.js'
import { evaluate } from '../../src/engine/evaluate.js'
import type { Decision } from '../../src/engine/ruleset.js'
import { compileOk, features, ruleSetText } from '../helpers/rule-engine.js'

const THRESHOLDS = { review: 50, block: 80 }
const { ALLOW, BLOCK, REVIEW } = ActionFlag

// [fired actions, score, decision today (engine 2), decision of engine 1]
const CASES: Array<[string, number, number, Decision, Decision]> = [
  ['nothing, low score', 0, 10, 'allow', 'allow'],
  ['score at the review threshold', 0, 50, 'review', 'review'],
  ['score just under the block threshold', 0, 79, 'review', 'review'],
  ['score at the block threshold', 0, 80, 'block', 'block'],
  ['score clamped to 100', 0, 100, 'block', 'block'],
  ['review action, low score', REVIEW, 0, 'review', 'review'],
  ['review action, score in review range', REVIEW, 60, 'review', 'review'],
  // the change of engine version 2: a review action no longer lowers a block by score
  ['review action, score at the block threshold', REVIEW, 80, 'block', 'review'],
  ['review action, score 100', REVIEW, 100, 'block', 'review'],
  ['block action, low score', BLOCK, 0, 'block', 'block'],
  ['block and review actions', BLOCK | REVIEW, 0, 'block', 'block'],
  ['allow action over a block action', ALLOW | BLOCK, 0, 'allow', 'allow'],
  ['allow action over a score at the block threshold', ALLOW, 100, 'allow', 'allow'],
  ['allow action over everything', ALLOW | BLOCK | REVIEW, 100, 'allow', 'allow']
]

t.test('decide: the precedence of DESIGN.md, and the one engine version 1 had', async (t) => {
  for (const [name, actions, score, today, before] of CASES) {
    t.equal(decide(THRESHOLDS, score, actions), today, `${name}: ${today}`)
    t.equal(decideEngine1(THRESHOLDS, score, actions), before, `${name}: engine 1 decided ${before}`)
    t.equal(decideAs(ENGINE_VERSION, THRESHOLDS, score, actions), today, `${name}: this engine`)
    t.equal(decideAs(EngineVersion.FIRST, THRESHOLDS, score, actions), before, `${name}: as engine 1`)
  }
})

t.test('the engine version is the precedence change', async (t) => {
  t.equal(ENGINE_VERSION, EngineVersion.PRECEDENCE)
  t.ok(ENGINE_VERSION > EngineVersion.FIRST)
})

t.test('actionFlagsOf reads the fired rules\' actions', async (t) => {
  t.equal(actionFlagsOf([]), 0)
  t.equal(actionFlagsOf([{ action: null }, { action: 'review' }]), REVIEW)
  t.equal(actionFlagsOf([{ action: 'block' }, { action: 'allow' }, { action: 'review' }]), ALLOW | BLOCK | REVIEW)
})

t.test('a score of 100 stays blocked when a review rule fires too (it became review before)', async (t) => {
  const set = compileOk(ruleSetText([
    '  - id: tor', '    when: ip.is_tor', '    score: 60',
    '  - id: storm', '    when: amount > 100', '    score: 40',
    '  - id: odd_hours', '    when: has(metadata.night) && metadata.night == true', '    action: review'
  ].join('\n')))
  const charge = features({ amount: 1000, metadata: { night: true }, ip: { address: '203.0.113.10', version: 4, is_private: false, is_tor: true } })
  const result = evaluate(set, charge)
  t.equal(result.score, 100)
  t.same(result.reasons.map((r) => r.rule), ['tor', 'storm', 'odd_hours'])
  t.equal(result.decision, 'block')
  t.equal(decideEngine1(set.thresholds, result.score, actionFlagsOf(result.reasons)), 'review', 'what engine 1 answered')
  // the shadow decision follows the same precedence
  t.equal(result.shadow.decision, 'block')
})
