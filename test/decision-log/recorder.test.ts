import t from 'tap'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { createDecisionRecorder } from '../../src/decision-log/recorder.js'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import type { Features } from '../../src/engine/features.js'
import type { ScoreResponse } from '../../src/schemas/decision.js'

const hash = createSnapshotHash('test-hash-key-recorder-0123456789abcdef')

function decided (n: number): { response: ScoreResponse, features: Features } {
  const features: Features = {
    amount: 1000 + n,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: {},
    ip: { address: '203.0.113.9', version: 4, is_private: false },
    email: { address: 'somchai@example.co.th', domain: 'example.co.th' },
    customer: { id: 'cus_1' }
  }
  const response: ScoreResponse = {
    decision_id: `dec_${n}`,
    charge_id: `ch_${n}`,
    decision: 'allow',
    score: 0,
    reasons: [],
    shadow: { decision: 'allow', score: 0, reasons: [] },
    skipped: [],
    signals: { ip: features.ip },
    degraded: [],
    ruleset: { version: 'v', hash: 'h' },
    data: {},
    replayed: false,
    took_ms: 0.2
  }
  return { response, features }
}

function logger (): { lines: Array<{ level: string, obj: object, msg: string }>, warn: (obj: object, msg: string) => void, error: (obj: object, msg: string) => void } {
  const lines: Array<{ level: string, obj: object, msg: string }> = []
  return {
    lines,
    warn: (obj, msg) => { lines.push({ level: 'warn', obj, msg }) },
    error: (obj, msg) => { lines.push({ level: 'error', obj, msg }) }
  }
}

t.test('record only queues; the write happens on a later turn, in order, snapshot hashed', async (t) => {
  const store = createMemoryDecisionLog()
  const calls: number[] = []
  const recorder = createDecisionRecorder({
    store: { append: async (records) => { calls.push(records.length); await store.append(records) } },
    hash,
    log: logger(),
    now: () => new Date('2026-11-21T10:00:00.000Z')
  })
  for (let i = 0; i < 5; i++) {
    const { response, features } = decided(i)
    recorder.record(response, features)
  }
  t.same(calls, [], 'nothing written synchronously')
  t.equal(recorder.stats().queued, 5)
  await recorder.flush()
  t.same(recorder.stats(), { recorded: 5, dropped: 0, failed: 0, queued: 0 })
  const records: DecisionRecord[] = []
  for await (const record of store.scan()) records.push(record)
  t.same(records.map((r) => r.decision_id), ['dec_0', 'dec_1', 'dec_2', 'dec_3', 'dec_4'])
  t.equal(records[0]?.at, '2026-11-21T10:00:00.000Z')
  t.equal(records[0]?.features.email?.address, hash('somchai@example.co.th'))
  t.notOk(JSON.stringify(records).includes('somchai@'), 'no email in clear')
  await recorder.flush()
  t.pass('flush with nothing queued resolves')
})

t.test('batches are bounded', async (t) => {
  const calls: number[] = []
  const recorder = createDecisionRecorder({ store: { append: async (records) => { calls.push(records.length) } }, hash, log: logger(), batchSize: 4 })
  for (let i = 0; i < 10; i++) recorder.record(decided(i).response, decided(i).features)
  await recorder.flush()
  t.same(calls, [4, 4, 2])
})

t.test('a full queue drops and counts; a failing store counts and logs once per outage; nothing throws', async (t) => {
  let fail = true
  const log = logger()
  const recorder = createDecisionRecorder({
    store: { append: async () => { if (fail) throw new Error('Connection is closed.') } },
    hash,
    log,
    maxQueue: 3,
    batchSize: 1
  })
  for (let i = 0; i < 5; i++) recorder.record(decided(i).response, decided(i).features)
  t.same(recorder.stats(), { recorded: 0, dropped: 2, failed: 0, queued: 3 })
  await recorder.flush()
  t.same(recorder.stats(), { recorded: 0, dropped: 2, failed: 3, queued: 0 })
  t.equal(log.lines.filter((l) => l.level === 'error').length, 1, 'one error line for the outage')
  t.equal(log.lines.filter((l) => l.msg.includes('queue full')).length, 1, 'one warning for the drops')
  fail = false
  recorder.record(decided(9).response, decided(9).features)
  await recorder.flush()
  t.equal(recorder.stats().recorded, 1)
  t.ok(log.lines.some((l) => l.msg.includes('writing again')), 'the recovery is logged')
  t.notOk(JSON.stringify(log.lines).includes('somchai'), 'logs carry no record content')
})

t.test('flush waits for a write in progress', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  let written = 0
  const recorder = createDecisionRecorder({ store: { append: async (records) => { await gate; written += records.length } }, hash, log: logger() })
  recorder.record(decided(1).response, decided(1).features)
  const flushed = recorder.flush()
  await new Promise((resolve) => setImmediate(resolve))
  recorder.record(decided(2).response, decided(2).features)
  release()
  await flushed
  t.ok(written >= 1)
  await recorder.flush()
  t.equal(written, 2)
})
