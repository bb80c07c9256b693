import t from 'tap'
import { ChargeSampler, chargeSetLabel } from '../../src/backtest/charge-samples.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import type { SideDecision } from '../../src/backtest/stats.js'

function record (i: number): DecisionRecord {
  return {
    v: 1,
    decision_id: `dec_${i}`,
    charge_id: `ch_${i}`,
    at: new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString(),
    amount: 100 + i,
    currency: 'THB',
    features: { amount: 100 + i, currency: 'THB', item_count: 0, items: [], metadata: {}, ip: { address: `ip_${i}`, version: 4, is_private: false }, customer: {} },
    ruleset: { version: 'v', hash: 'h' },
    data: {},
    decision: 'allow',
    score: 0,
    fired: [],
    shadow: { decision: 'allow', score: 0, fired: [] },
    skipped: [],
    degraded: []
  }
}

const SIDE: SideDecision = { decision: 'allow', score: 0, fired: [], shadowFired: [], action: null }

t.test('each figure keeps a bounded, deterministic random sample of its charges and counts them all', async (t) => {
  const run = (n: number, perSet: number): ReturnType<ChargeSampler['result']> => {
    const sampler = new ChargeSampler(perSet)
    for (let i = 0; i < n; i++) {
      sampler.begin(record(i), SIDE, SIDE, 'unlabelled')
      sampler.add('changed')
      if (i % 3 === 0) sampler.addId('rule:candidate:', 'every_third')
      if (i % 3 === 0) sampler.addId('rule:candidate:', 'every_third', ':fraud')
    }
    return sampler.result()
  }
  const result = run(10_000, 20)
  t.same(Object.keys(result.sets), ['changed', 'rule:candidate:every_third', 'rule:candidate:every_third:fraud'])
  t.equal(result.sets.changed?.total, 10_000)
  t.equal(result.sets['rule:candidate:every_third']?.total, 3_334)
  for (const set of Object.values(result.sets)) {
    t.equal(set.rows.length, 20)
    t.equal(new Set(set.rows).size, 20, 'distinct charges')
  }
  const third = (result.sets['rule:candidate:every_third']?.rows ?? []).map((r) => Number(result.rows[r]?.charge_id.slice(3)))
  t.ok(third.every((i) => i % 3 === 0), 'only charges the figure counts')
  const sampled = (result.sets.changed?.rows ?? []).map((r) => Number(result.rows[r]?.charge_id.slice(3)))
  t.ok(sampled.some((i) => i >= 5_000), 'later charges are sampled too, not only the first ones')
  t.same(sampled, [...sampled].sort((a, b) => a - b), 'in time order')
  t.same(run(10_000, 20), result, 'the same charges give the same sample')
  const everything = run(30, 100)
  t.equal(everything.rows.length, 30, 'a charge in several samples is listed once')

  const small = run(7, 20)
  t.equal(small.sets.changed?.rows.length, 7, 'fewer charges than the sample size: all of them')
  const none = run(50, 0)
  t.equal(none.sets.changed?.total, 50)
  t.equal(none.rows.length, 0)
})

t.test('labels say what a figure counts', async (t) => {
  const cases: Array<[string, string]> = [
    ['outcome:unlabelled', 'charges without a usable outcome'],
    ['decision:current:block', 'current: block'],
    ['cell:candidate:allow:fraud', 'candidate: allow, fraud'],
    ['change:review:block', 'current review, candidate block'],
    ['rule:candidate:ip_velocity:good', 'candidate rule ip_velocity: hits that were good'],
    ['shadow:current:trusted_customer', 'current shadow rule trusted_customer: hits'],
    ['without:ip_velocity', 'decisions that change without rule ip_velocity'],
    ['threshold:60:good', 'candidate with block threshold 60: good charges blocked'],
    ['blocked-set-aside', 'charges blocked live whose outcome is set aside']
  ]
  for (const [key, label] of cases) t.equal(chargeSetLabel(key), label, key)
})
