import t from 'tap'
import { challengerView } from '../../src/rollout/challenger-view.js'
import type { StagedChallenger } from '../../src/rollout/challenger-slot.js'
import { SHADOW_ROLLOUT } from '../../src/rollout/rollout.js'
import { counterConflicts, sharedCounters } from '../../src/rollout/shared-counters.js'
import { entityOps } from '../../src/velocity/entity-op.js'
import { compileOk, features, ruleSetText } from '../helpers/rule-engine.js'

const live = compileOk(ruleSetText('  - id: ip_rule\n    when: velocity.ip_1h > 5\n    score: 10', [
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  '  cards_bin_ip: { distinct: card.fingerprint, by: [card.bin, ip], window: 1h }'
].join('\n')))

function challengerWith (velocity: string[]): ReturnType<typeof compileOk> {
  return compileOk(ruleSetText('  - id: c_rule\n    when: amount > 0\n    score: 10', ['velocity:', ...velocity].join('\n')).replace('test.1', 'challenger.1'))
}

t.test('a counter name is one series: declared otherwise by the two sets, it is a conflict', async (t) => {
  const same = challengerWith(['  ip_1h: { count: charges, by: ip.address, window: 60m }', '  cards_bin_ip: { distinct: card, by: [ip, card.bin], window: 1h }'])
  t.same(counterConflicts(same, live, 'live'), [], 'aliases, key order and window units do not matter')
  const other = challengerWith(['', '  ip_1h: { sum: amount, by: ip, window: 1h }'])
  const problems = counterConflicts(other, live, 'live', ruleSetText('', ['velocity:', '', '  ip_1h: { sum: amount, by: ip, window: 1h }'].join('\n')))
  t.equal(problems.length, 1)
  t.match(problems[0], { line: 5, column: 1, message: /velocity ip_1h is sum amount by ip\.address over 3600 s here but count by ip\.address over 3600 s in the live set/ })
  t.same(counterConflicts(live, other, 'challenger').map((p) => p.line), [1], 'without the text: line 1')
})

t.test('the velocity of both sets: every counter once, those declared alike in one ring', async (t) => {
  const challenger = challengerWith([
    '  ip_1h: { count: charges, by: ip, window: 1h }',
    '  charges_per_ip_1h: { count: charges, by: ip, window: 1h }',
    '  email_24h: { count: charges, by: email, window: 24h }'
  ])
  t.same(sharedCounters(live, challenger).map((c) => c.name), ['ip_1h', 'cards_bin_ip', 'charges_per_ip_1h', 'email_24h'])
  const staged: StagedChallenger = { ruleSet: challenger, rulesDir: '/rules-next', rollout: SHADOW_ROLLOUT, stagedAt: new Date(0), stagedBy: 'test' }
  const view = challengerView(live, staged)
  t.equal(challengerView(live, staged), view, 'built once per pair')
  const plan = view.planVelocity(features({ email: { address: 'a@example.com', domain: 'example.com' }, card: { bin: '424242', fingerprint: 'fp_1' } }))
  const ops = entityOps(plan, 1_700_000_000_000, (_path, value) => `d${String(value).length}`)
  const ip = ops.find((op) => op.entity.startsWith('ip.address:'))
  t.same(ip?.rings.map((r) => r.names), [['ip_1h', 'charges_per_ip_1h']], 'one ring for the two names of one series')
  t.equal(ops.length, 3, 'ip, email and card.bin + ip: one entity each')
  const data = {}
  const context = view.context('live', data)
  t.same(context.velocity, ['ip_1h', 'cards_bin_ip', 'charges_per_ip_1h', 'email_24h'])
  t.match(context.other, { role: 'challenger', version: 'challenger.1', rules: ['c_rule'], mode: 'shadow' })
  t.equal(view.context('live', data), context, 'contexts are kept per data object')
  t.match(view.context('challenger', data), { ruleset: { version: 'challenger.1' }, other: { role: 'live', version: 'test.1' } })
})
