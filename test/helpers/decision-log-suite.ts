import type { Test } from 'tap'
import type { DecisionOutcome, DecisionRecord } from '../../src/decision-log/record.js'
import type { DecisionLogStore } from '../../src/decision-log/store.js'

/** a fresh, empty decision log of one implementation for each subtest */
export type CreateDecisionLog = (t: Test) => Promise<DecisionLogStore>

let seq = 0
/** A recorded decision as toDecisionRecord builds it (identifiers already hashed). */
export function decisionRecord (at: string, extra: Partial<DecisionRecord> = {}): DecisionRecord {
  seq++
  return {
    v: 1,
    decision_id: `dec_${process.pid}_${seq}`,
    charge_id: `ch_${process.pid}_${seq}`,
    at,
    amount: 125_000,
    currency: 'THB',
    features: {
      amount: 125_000,
      currency: 'THB',
      item_count: 0,
      items: [],
      metadata: {},
      ip: { address: 'hashed-ip-0000000000000', version: 4, is_private: false, country: 'TH' },
      customer: {}
    },
    ruleset: { version: 'test.1', hash: 'abc' },
    data: { country: '2026-10-01' },
    decision: 'allow',
    score: 10,
    fired: ['r1'],
    shadow: { decision: 'allow', score: 10, fired: [] },
    skipped: [],
    degraded: [],
    ...extra
  }
}

export const outcome = (label: DecisionOutcome['label'], extra: Partial<DecisionOutcome> = {}): DecisionOutcome =>
  ({ label, at: '2026-11-22T00:00:00.000Z', source: 'api', ...extra })

async function all (iterable: AsyncIterable<DecisionRecord>): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = []
  for await (const record of iterable) out.push(record)
  return out
}

/** The behaviour every DecisionLogStore has, written once and run against each implementation. */
export function decisionLogSuite (t: Test, create: CreateDecisionLog): void {
  t.test('a record comes back by decision id and by charge id; unknown ids are unknown', async (t) => {
    const store = await create(t)
    const record = decisionRecord('2026-11-21T10:00:00.000Z')
    await store.append([record])
    t.same(await store.get(record.decision_id), record)
    t.equal(await store.has(record.decision_id), true)
    t.equal(await store.findByChargeId(record.charge_id), record.decision_id)
    t.equal(await store.get('dec_unknown'), undefined)
    t.equal(await store.has('dec_unknown'), false)
    t.equal(await store.findByChargeId('ch_unknown'), undefined)
    t.same(await store.setOutcome('dec_unknown', { outcome: outcome('fraud'), rank: 3, force: true }), { status: 'unknown' })
  })

  t.test('returned records are copies', async (t) => {
    const store = await create(t)
    const record = decisionRecord('2026-11-21T10:00:00.000Z')
    await store.append([record])
    const got = await store.get(record.decision_id)
    if (got === undefined) throw new Error('missing')
    got.score = 99
    record.score = 98
    t.equal((await store.get(record.decision_id))?.score, 10)
  })

  t.test('outcomes: the latest is kept unless a stronger one is stored; force replaces', async (t) => {
    const store = await create(t)
    const record = decisionRecord('2026-11-21T10:00:00.000Z')
    await store.append([record])
    t.same(await store.setOutcome(record.decision_id, { outcome: outcome('legit', { source: 'omise', event_id: 'evnt_1' }), rank: 1, force: false }),
      { status: 'stored', outcome: outcome('legit', { source: 'omise', event_id: 'evnt_1' }) })
    t.same((await store.get(record.decision_id))?.outcome, outcome('legit', { source: 'omise', event_id: 'evnt_1' }))
    t.equal((await store.setOutcome(record.decision_id, { outcome: outcome('chargeback'), rank: 3, force: false })).status, 'stored')
    t.same(await store.setOutcome(record.decision_id, { outcome: outcome('legit'), rank: 1, force: false }),
      { status: 'kept', outcome: outcome('chargeback') }, 'a late legit does not replace a chargeback')
    t.equal((await store.setOutcome(record.decision_id, { outcome: outcome('chargeback', { event_id: 'evnt_2' }), rank: 3, force: false })).status,
      'stored', 'an equal rank replaces (latest wins)')
    t.equal((await store.setOutcome(record.decision_id, { outcome: outcome('legit', { note: 'friendly fraud' }), rank: 1, force: true })).status, 'stored')
    t.same((await store.get(record.decision_id))?.outcome, outcome('legit', { note: 'friendly fraud' }))
  })

  t.test('outcomes given with the appended record are ignored: the log holds what was decided', async (t) => {
    const store = await create(t)
    const record = decisionRecord('2026-11-21T10:00:00.000Z', { outcome: outcome('fraud') })
    await store.append([record])
    t.equal((await store.get(record.decision_id))?.outcome, undefined)
  })

  t.test('linkCharge makes a gateway charge id find the decision', async (t) => {
    const store = await create(t)
    const record = decisionRecord('2026-11-21T10:00:00.000Z')
    await store.append([record])
    await store.linkCharge('chrg_test_omise_1', record.decision_id)
    t.equal(await store.findByChargeId('chrg_test_omise_1'), record.decision_id)
    t.equal(await store.findByChargeId(record.charge_id), record.decision_id, 'the merchant id still works')
  })

  t.test('scan: every record oldest first, with its latest outcome, within [from, to)', async (t) => {
    const store = await create(t)
    const records = Array.from({ length: 25 }, (_, i) => decisionRecord(new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString()))
    for (const record of records) await store.append([record]) // written in time order
    await store.setOutcome((records[3] as DecisionRecord).decision_id, { outcome: outcome('fraud'), rank: 3, force: true })
    const scanned = await all(store.scan())
    t.same(scanned.map((r) => r.decision_id), records.map((r) => r.decision_id))
    t.same(scanned[3]?.outcome, outcome('fraud'))
    t.equal(scanned.filter((r) => r.outcome !== undefined).length, 1)

    const ranged = await all(store.scan({ from: new Date(Date.UTC(2026, 10, 21, 10, 0, 5)), to: new Date(Date.UTC(2026, 10, 21, 10, 0, 10)) }))
    t.same(ranged.map((r) => r.at.slice(17, 19)), ['05', '06', '07', '08', '09'], 'from included, to excluded')
    t.same(await all(store.scan({ from: new Date(Date.UTC(2027, 0, 1)) })), [])
  })

  t.test('scan: a consumer may stop early', async (t) => {
    const store = await create(t)
    await store.append(Array.from({ length: 10 }, (_, i) => decisionRecord(new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString())))
    let n = 0
    for await (const record of store.scan()) {
      t.type(record.decision_id, 'string', 'a record', { diagnostic: false })
      if (++n === 3) break
    }
    t.equal(n, 3)
    t.equal((await all(store.scan())).length, 10, 'the log is intact')
  })
}
