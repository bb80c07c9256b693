import t from 'tap'
import { decisionsWithout, RuleRemovalStats } from '../../src/backtest/rule-removal.js'
import type { Reason } from '../../src/engine/ruleset.js'

function reason (rule: string, score: number | null, action: Reason['action'] = null): Reason {
  return { rule, description: rule, score, action, values: {} }
}

const THRESHOLDS = { review: 50, block: 80 }

t.test('the decision without each fired rule follows the engine\'s precedence', async (t) => {
  const cases: Array<{ name: string, reasons: Reason[], want: string[] }> = [
    { name: 'scores: one rule less can fall below a threshold', reasons: [reason('a', 50), reason('b', 40)], want: ['allow', 'review'] },
    { name: 'the score is clamped after the sum: 150 without 60 is 90, still a block', reasons: [reason('a', 90), reason('b', 60)], want: ['review', 'block'] },
    { name: 'a negative score removed raises the score', reasons: [reason('a', 85), reason('good', -10)], want: ['allow', 'block'] },
    { name: 'an allow action wins over a block: without it, the block action decides', reasons: [reason('trusted', null, 'allow'), reason('blocked', null, 'block')], want: ['block', 'allow'] },
    { name: 'two block actions: removing one changes nothing', reasons: [reason('x', null, 'block'), reason('y', null, 'block')], want: ['block', 'block'] },
    { name: 'a review action over a low score', reasons: [reason('r', null, 'review'), reason('s', 10)], want: ['allow', 'review'] },
    { name: 'a block action over a review action', reasons: [reason('r', null, 'review'), reason('b', null, 'block')], want: ['block', 'review'] }
  ]
  for (const c of cases) t.same(decisionsWithout(THRESHOLDS, c.reasons), c.want, c.name)
})

t.test('per rule: decisions that change, and fraud and good charges no longer or newly blocked', async (t) => {
  const stats = new RuleRemovalStats(THRESHOLDS)
  t.same(stats.add('block', [reason('a', 50), reason('b', 40)], 'fraud', 'THB', 100), ['a', 'b'])
  t.same(stats.add('block', [reason('a', 90)], 'good', 'USD', 7), ['a'])
  t.same(stats.add('allow', [reason('trusted', null, 'allow'), reason('blocked', null, 'block')], 'fraud', 'THB', 5), ['trusted'])
  t.same(stats.add('allow', [], 'fraud', 'THB', 5), [])
  t.same(stats.of('a'), { changed: { count: 2, amounts: { THB: 100, USD: 7 } }, to: { allow: 2, review: 0, block: 0 }, fraud_caught_lost: 1, fraud_caught_gained: 0, good_blocked_lost: 1, good_blocked_gained: 0 })
  t.same(stats.of('trusted'), { changed: { count: 1, amounts: { THB: 5 } }, to: { allow: 0, review: 0, block: 1 }, fraud_caught_lost: 0, fraud_caught_gained: 1, good_blocked_lost: 0, good_blocked_gained: 0 })
  t.equal(stats.of('never_fired').changed.count, 0)
})
