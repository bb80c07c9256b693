import t from 'tap'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import { decisionLogSuite, decisionRecord, outcome } from '../helpers/decision-log-suite.js'

t.test('shared decision log behaviour', async (t) => {
  decisionLogSuite(t, async () => createMemoryDecisionLog())
})

t.test('bounded: the oldest records go first, with their outcomes', async (t) => {
  const store = createMemoryDecisionLog({ maxRecords: 3 })
  const records = Array.from({ length: 5 }, (_, i) => decisionRecord(new Date(Date.UTC(2026, 10, 21, 10, 0, i)).toISOString()))
  await store.append(records)
  const kept = []
  for await (const record of store.scan()) kept.push(record.decision_id)
  t.same(kept, records.slice(2).map((r) => r.decision_id))
  t.equal(await store.has(records[0]?.decision_id ?? ''), false)
  t.same(await store.setOutcome(records[0]?.decision_id ?? '', { outcome: outcome('fraud'), rank: 3, force: true }), { status: 'unknown' })
})

t.test('records and indexes expire after the TTL', async (t) => {
  let clock = Date.UTC(2026, 10, 21)
  const store = createMemoryDecisionLog({ ttlSeconds: 60, now: () => clock })
  const record = decisionRecord('2026-11-21T00:00:00.000Z')
  await store.append([record])
  clock += 59_000
  t.equal(await store.has(record.decision_id), true)
  clock += 1_000
  t.equal(await store.has(record.decision_id), false)
  t.equal(await store.findByChargeId(record.charge_id), undefined)
})

t.test('options are checked', async (t) => {
  t.throws(() => createMemoryDecisionLog({ maxRecords: 0 }), RangeError)
})
