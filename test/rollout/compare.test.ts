import t from 'tap'
import fc from 'fast-check'
import type { DecisionRecord, OutcomeLabel } from '../../src/decision-log/record.js'
import { createRolloutComparison } from '../../src/rollout/compare.js'
import type { Decision } from '../../src/schemas/decision.js'

const LIVE = { version: 'live.1', hash: 'a'.repeat(64) }
const CHALLENGER = { version: 'challenger.1', hash: 'b'.repeat(64) }

function record (i: number, live: Decision, challenger: Decision | undefined, label?: OutcomeLabel, decidedBy: 'live' | 'challenger' = 'live'): DecisionRecord {
  const decided = decidedBy === 'live' ? live : challenger ?? live
  return {
    v: 1,
    decision_id: `d-${i}`,
    charge_id: `ch-${i}`,
    at: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(),
    amount: 1000,
    currency: 'THB',
    features: { amount: 1000, currency: 'THB', item_count: 0, items: [], metadata: {}, ip: { address: 'x', version: 4, is_private: false }, customer: {} },
    ruleset: decidedBy === 'live' ? LIVE : CHALLENGER,
    data: {},
    decision: decided,
    score: 0,
    fired: [],
    shadow: { decision: decided, score: 0, fired: [] },
    skipped: [],
    degraded: [],
    ...(challenger !== undefined
      ? { rollout: { decided_by: decidedBy, mode: decidedBy === 'challenger' ? 'enforce' as const : 'shadow' as const, live: { ...LIVE, decision: live, score: 0, fired: [] }, challenger: { ...CHALLENGER, decision: challenger, score: 0, fired: [] } } }
      : {}),
    ...(label !== undefined ? { outcome: { label, at: '2026-12-02T00:00:00.000Z', source: 'api' as const } } : {})
  }
}

t.test('agreement, the decision matrix and what each set caught on labelled outcomes', async (t) => {
  const compare = createRolloutComparison()
  compare.add(record(1, 'review', 'block', 'fraud'))
  compare.add(record(2, 'allow', 'block', 'chargeback', 'challenger'))
  compare.add(record(3, 'allow', 'allow', 'legit'))
  compare.add(record(4, 'block', 'review', 'legit'))
  compare.add(record(5, 'allow', 'allow', 'refund'))
  compare.add(record(6, 'allow', undefined, 'fraud'))
  const report = compare.report()
  t.equal(report.records, 6)
  t.equal(report.compared, 5, 'a record without a challenger is read, not compared')
  t.same(report.period, { from: '2026-12-01T00:00:01.000Z', to: '2026-12-01T00:00:05.000Z' })
  t.equal(report.pairs.length, 1)
  const pair = report.pairs[0]
  t.match(pair, { charges: 5, agreed: 2, agreement: 0.4, decided_by: { live: 4, challenger: 1 }, modes: { shadow: 4, enforce: 1 }, outcomes: { fraud: 2, good: 2, unlabelled: 1 } })
  t.same(pair?.matrix, { allow: { allow: 2, review: 0, block: 1 }, review: { allow: 0, review: 0, block: 1 }, block: { allow: 0, review: 1, block: 0 } })
  t.match(pair?.sets.live, { decisions: { allow: 3, review: 1, block: 1 }, fraud_caught: 0, fraud_reviewed: 1, fraud_missed: 1, good_blocked: 1, precision: 0, recall: 0 })
  t.match(pair?.sets.challenger, { decisions: { allow: 2, review: 1, block: 2 }, fraud_caught: 2, fraud_reviewed: 0, fraud_missed: 0, good_blocked: 0, good_reviewed: 1, precision: 1, recall: 1 })

  const refundsAsFraud = createRolloutComparison('fraud')
  refundsAsFraud.add(record(5, 'allow', 'allow', 'refund'))
  t.match(refundsAsFraud.report().pairs[0], { outcomes: { fraud: 1 }, sets: { live: { fraud_missed: 1 } } })
})

t.test('the matrix counts every compared charge once; agreement is its diagonal', async (t) => {
  const decision = fc.constantFrom<Decision>('allow', 'review', 'block')
  fc.assert(fc.property(fc.array(fc.tuple(decision, fc.option(decision, { nil: undefined })), { maxLength: 60 }), (pairs) => {
    const compare = createRolloutComparison()
    pairs.forEach(([live, challenger], i) => { compare.add(record(i, live, challenger)) })
    const report = compare.report()
    const compared = pairs.filter(([, c]) => c !== undefined)
    const pair = report.pairs[0]
    if (compared.length === 0) return report.pairs.length === 0 && report.compared === 0
    const cells = Object.values(pair?.matrix ?? {}).flatMap((row) => Object.values(row))
    return report.compared === compared.length && cells.reduce((a, b) => a + b, 0) === compared.length &&
      pair?.agreed === compared.filter(([l, c]) => l === c).length
  }))
})

t.test('pairs of rule sets are compared apart, the most charges first; malformed rollouts are skipped', async (t) => {
  const compare = createRolloutComparison()
  compare.add(record(1, 'allow', 'allow'))
  const other = record(2, 'allow', 'block')
  const another = { ...other, rollout: { ...other.rollout!, challenger: { ...other.rollout!.challenger, version: 'challenger.2', hash: 'c'.repeat(64) } } }
  compare.add(another)
  compare.add({ ...another, decision_id: 'd-3' })
  compare.add({ ...other, rollout: { ...other.rollout!, live: { version: 'x' } } } as unknown as DecisionRecord)
  const report = compare.report()
  t.same(report.pairs.map((p) => [p.challenger.version, p.charges]), [['challenger.2', 2], ['challenger.1', 1]])
  t.equal(report.compared, 3)
})
