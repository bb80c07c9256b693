import { indexEntry } from '../../src/decision-log/index-entry.js'
import type { Test } from 'tap'
import { createRecordContext, encodeRecord } from '../../src/decision-log/codec.js'
import type { RecordContext } from '../../src/decision-log/codec.js'
import type { DecisionOutcome, DecisionRecord } from '../../src/decision-log/record.js'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import type { AppendEntry, DecisionLogStore } from '../../src/decision-log/store.js'
import type { Features } from '../../src/engine/features.js'
import { createDecisionKeys } from '../../src/idempotency/decision-key.js'
import type { DecisionKeys } from '../../src/idempotency/decision-key.js'

export const SUITE_HASH_KEY = 'test-hash-key-decision-log-suite-0123456789'
export const digestOf = createSnapshotHash(SUITE_HASH_KEY)
export const CONTEXT: RecordContext = createRecordContext(
  { version: 'test.1', hash: 'abc' }, { country: '2026-10-01' }, ['charges_per_ip_1h'], ['r1', 'r2', 'shadow_rule'])

export interface LogOptions {
  partitions?: number
  maxRecords?: number
  ttlSeconds?: number
}

/** a fresh, empty decision log of one implementation for each subtest */
export type CreateDecisionLog = (t: Test, options?: LogOptions) => Promise<DecisionLogStore>

export function keysOf (partitions = 4): DecisionKeys {
  return createDecisionKeys(SUITE_HASH_KEY, partitions)
}

export function sampleFeatures (n: number): Features {
  return {
    amount: 125_000 + n,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: {},
    ip: { address: `198.51.100.${n % 250}`, version: 4, is_private: false, country: 'TH' },
    email: { address: `buyer${n}@example.com`, domain: 'example.com', is_disposable: false },
    customer: { id: `cus_${n}` },
    velocity: { charges_per_ip_1h: 1 + (n % 5) }
  }
}

let seq = 0
/** A decision of a fresh charge as the scorer records it, at `atMs`. */
export function entry (keys: DecisionKeys, atMs: number, extra: Partial<Omit<AppendEntry, 'key' | 'encoded' | 'context'>> & { chargeId?: string } = {}): AppendEntry {
  seq++
  const chargeId = extra.chargeId ?? `ch_${process.pid}_${seq}`
  const features = sampleFeatures(seq)
  const encoded = encodeRecord({
    chargeId,
    atMs,
    features,
    decision: 'review',
    score: 60,
    fired: ['r1', 'r2'],
    shadow: { decision: 'block', score: 90, fired: ['shadow_rule'] },
    skipped: [],
    degraded: []
  }, CONTEXT, digestOf)
  return { key: keys.ofCharge(chargeId), fingerprint: extra.fingerprint ?? `fp_${seq}`, nonce: extra.nonce ?? `nonce_${seq}`, atMs, encoded, context: CONTEXT, index: indexEntry(features, 'review', ['r1', 'r2'], false, digestOf) }
}

export const outcome = (label: DecisionOutcome['label'], extra: Partial<DecisionOutcome> = {}): DecisionOutcome =>
  ({ label, at: '2026-11-22T00:00:00.000Z', source: 'api', ...extra })

async function all (iterable: AsyncIterable<DecisionRecord>): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = []
  for await (const record of iterable) out.push(record)
  return out
}

const T0 = Date.UTC(2026, 10, 21, 10)

/** The behaviour every DecisionLogStore has, written once and run against each implementation. */
export function decisionLogSuite (t: Test, create: CreateDecisionLog): void {
  t.test('a record comes back by decision id and by charge id; unknown ids are unknown', async (t) => {
    const store = await create(t)
    const e = entry(store.keys, T0)
    t.same(await store.append([e]), ['written'])
    const record = await store.get(e.key.decisionId)
    t.equal(record?.decision_id, e.key.decisionId)
    t.equal(record?.at, new Date(T0).toISOString())
    t.equal(record?.decision, 'review')
    t.same(record?.fired, ['r1', 'r2'])
    t.same(record?.shadow, { decision: 'block', score: 90, fired: ['shadow_rule'] })
    t.same(record?.ruleset, CONTEXT.ruleset)
    t.same(record?.data, CONTEXT.data)
    t.type(record?.features.velocity?.charges_per_ip_1h, 'number', 'velocity values by the context\'s counter names')
    t.equal(record?.features.ip.address, digestOf(`198.51.100.${Number(record?.features.amount) - 125_000}`), 'identifiers are keyed digests')
    t.equal(await store.findByChargeId(record?.charge_id ?? ''), e.key.decisionId)
    const found = await store.lookup(e.key)
    t.equal(found.status, 'recorded')
    if (found.status === 'recorded') {
      t.equal(found.fingerprint, e.fingerprint)
      t.same(found.record, record)
    }
    const unknown = store.keys.ofCharge('ch_unknown')
    t.equal(await store.get(unknown.decisionId), undefined)
    t.equal(await store.get('dec_not_a_decision_id'), undefined)
    t.equal(await store.findByChargeId('ch_unknown'), undefined)
    t.same(await store.lookup(unknown), { status: 'none' })
    t.same(await store.setOutcome(unknown.decisionId, { outcome: outcome('fraud'), rank: 3, force: true }), { status: 'unknown' })
    t.same(await store.setOutcome('not-a-decision-id', { outcome: outcome('fraud'), rank: 3, force: true }), { status: 'unknown' })
  })

  t.test('returned records are copies', async (t) => {
    const store = await create(t)
    const e = entry(store.keys, T0)
    await store.append([e])
    const got = await store.get(e.key.decisionId)
    if (got === undefined) throw new Error('missing')
    got.score = 99
    got.features.amount = 1
    t.equal((await store.get(e.key.decisionId))?.score, 60)
    t.not((await store.get(e.key.decisionId))?.features.amount, 1)
  })

  t.test('one charge, one recorded decision: reservations, duplicates and superseded attempts', async (t) => {
    const store = await create(t)
    const first = entry(store.keys, T0, { chargeId: 'ch_reserved', fingerprint: 'fp_a', nonce: 'n1' })
    t.same(await store.reserve(first.key, 'fp_a', 'n1', 60_000), { status: 'reserved' })
    t.same(await store.reserve(first.key, 'fp_a', 'n2', 60_000), { status: 'pending', fingerprint: 'fp_a' }, 'a second attempt finds the first deciding')
    t.same(await store.reserve(first.key, 'fp_b', 'n3', 60_000), { status: 'pending', fingerprint: 'fp_a' }, 'whatever its body')
    t.same(await store.lookup(first.key), { status: 'pending', fingerprint: 'fp_a' })
    t.equal(await store.findByChargeId('ch_reserved'), first.key.decisionId, 'a charge being decided is known')

    const other = { ...entry(store.keys, T0 + 1, { chargeId: 'ch_reserved', fingerprint: 'fp_a', nonce: 'n2' }) }
    t.same(await store.append([other]), ['superseded'], 'an attempt that does not hold the reservation is not recorded')
    t.same(await store.append([first]), ['written'], 'the attempt holding it is')
    t.same(await store.append([first]), ['duplicate'], 'a resent write records nothing twice')
    t.same(await store.append([other]), ['duplicate'], 'once recorded, no other attempt is')
    const again = await store.reserve(first.key, 'fp_a', 'n4', 60_000)
    t.equal(again.status, 'recorded', 'a retry after the record finds it')
    if (again.status === 'recorded') {
      t.equal(again.fingerprint, 'fp_a')
      t.equal(again.record.decision_id, first.key.decisionId)
      t.equal(again.record.at, new Date(T0).toISOString(), 'the first attempt\'s record')
    }
    const scanned = await all(store.scan())
    t.equal(scanned.filter((r) => r.decision_id === first.key.decisionId).length, 1)
  })

  t.test('a decision made without a reservation is recorded when no attempt holds one', async (t) => {
    const store = await create(t)
    const e = entry(store.keys, T0)
    t.same(await store.append([e]), ['written'])
    const late = entry(store.keys, T0 + 1, { chargeId: 'ch_late' })
    t.same(await store.reserve(late.key, late.fingerprint, 'someone-else', 60_000), { status: 'reserved' })
    t.same(await store.append([late]), ['superseded'], 'not over another attempt\'s reservation')
  })

  t.test('a batch: one result per entry, in order', async (t) => {
    const store = await create(t)
    const a = entry(store.keys, T0)
    const b = entry(store.keys, T0 + 1)
    await store.append([a])
    t.same(await store.append([a, b, b]), ['duplicate', 'written', 'duplicate'])
  })

  t.test('outcomes: the latest is kept unless a stronger one is stored; force replaces', async (t) => {
    const store = await create(t)
    const e = entry(store.keys, T0)
    await store.append([e])
    const id = e.key.decisionId
    t.same(await store.setOutcome(id, { outcome: outcome('legit', { source: 'omise', event_id: 'evnt_1' }), rank: 1, force: false }),
      { status: 'stored', outcome: outcome('legit', { source: 'omise', event_id: 'evnt_1' }) })
    t.same((await store.get(id))?.outcome, outcome('legit', { source: 'omise', event_id: 'evnt_1' }))
    t.equal((await store.setOutcome(id, { outcome: outcome('chargeback'), rank: 3, force: false })).status, 'stored')
    t.same(await store.setOutcome(id, { outcome: outcome('legit'), rank: 1, force: false }),
      { status: 'kept', outcome: outcome('chargeback') }, 'a late legit does not replace a chargeback')
    t.equal((await store.setOutcome(id, { outcome: outcome('chargeback', { event_id: 'evnt_2' }), rank: 3, force: false })).status,
      'stored', 'an equal rank replaces (latest wins)')
    t.equal((await store.setOutcome(id, { outcome: outcome('legit', { note: 'friendly fraud' }), rank: 1, force: true })).status, 'stored')
    t.same((await store.get(id))?.outcome, outcome('legit', { note: 'friendly fraud' }))
  })

  t.test('an outcome of a decision being decided is kept and shows once its record lands', async (t) => {
    const store = await create(t)
    const e = entry(store.keys, T0)
    await store.reserve(e.key, e.fingerprint, e.nonce, 60_000)
    t.equal((await store.setOutcome(e.key.decisionId, { outcome: outcome('fraud'), rank: 3, force: true })).status, 'stored')
    await store.append([e])
    t.same((await store.get(e.key.decisionId))?.outcome, outcome('fraud'))
  })

  t.test('linkCharge makes a gateway charge id find the decision', async (t) => {
    const store = await create(t)
    const e = entry(store.keys, T0)
    await store.append([e])
    await store.linkCharge('chrg_test_omise_1', e.key.decisionId)
    t.equal(await store.findByChargeId('chrg_test_omise_1'), e.key.decisionId)
  })

  t.test('scan: every record oldest first, with its latest outcome, within [from, to)', async (t) => {
    const store = await create(t)
    const entries = Array.from({ length: 25 }, (_, i) => entry(store.keys, T0 + i * 1000))
    for (const e of entries) await store.append([e]) // written in time order
    await store.setOutcome((entries[3] as AppendEntry).key.decisionId, { outcome: outcome('fraud'), rank: 3, force: true })
    const scanned = await all(store.scan())
    t.same(scanned.map((r) => r.decision_id), entries.map((e) => e.key.decisionId))
    t.same(scanned[3]?.outcome, outcome('fraud'))
    t.equal(scanned.filter((r) => r.outcome !== undefined).length, 1)

    const ranged = await all(store.scan({ from: new Date(T0 + 5000), to: new Date(T0 + 10_000) }))
    t.same(ranged.map((r) => r.at.slice(17, 19)), ['05', '06', '07', '08', '09'], 'from included, to excluded')
    t.same(await all(store.scan({ from: new Date(Date.UTC(2027, 0, 1)) })), [])
  })

  t.test('scan: a consumer may stop early', async (t) => {
    const store = await create(t)
    await store.append(Array.from({ length: 10 }, (_, i) => entry(store.keys, T0 + i)))
    let n = 0
    for await (const record of store.scan()) {
      t.type(record.decision_id, 'string', 'a record', { diagnostic: false })
      if (++n === 3) break
    }
    t.equal(n, 3)
    t.equal((await all(store.scan())).length, 10, 'the log is intact')
  })

  t.test('bounded: beyond the most records kept, the oldest go, with their index and outcome', async (t) => {
    const store = await create(t, { partitions: 1, maxRecords: 5 })
    const entries = Array.from({ length: 12 }, (_, i) => entry(store.keys, T0 + i))
    await store.setOutcome((entries[0] as AppendEntry).key.decisionId, { outcome: outcome('fraud'), rank: 3, force: true })
    for (const e of entries) await store.append([e])
    const kept = await all(store.scan())
    t.same(kept.map((r) => r.decision_id), entries.slice(7).map((e) => e.key.decisionId), 'the newest 5')
    const oldest = entries[0] as AppendEntry
    t.equal(await store.get(oldest.key.decisionId), undefined)
    t.same(await store.lookup(oldest.key), { status: 'none' })
    t.same(await store.setOutcome(oldest.key.decisionId, { outcome: outcome('fraud'), rank: 3, force: true }), { status: 'unknown' })
  })

  t.test('records older than the TTL are trimmed', async (t) => {
    const store = await create(t, { partitions: 1, ttlSeconds: 3600 })
    const old = entry(store.keys, Date.now() - 2 * 3600_000)
    await store.append([old])
    // the age of the oldest records is checked at least once every 64 records written
    for (let i = 0; i < 64; i++) await store.append([entry(store.keys, Date.now())])
    t.equal(await store.get(old.key.decisionId), undefined, 'gone once more records are written')
    t.equal((await all(store.scan())).length, 64)
  })
}
