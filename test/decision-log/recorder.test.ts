import t from 'tap'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import type { MemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { createDecisionRecorder, DECISION_KIND } from '../../src/decision-log/recorder.js'
import type { AppendEntry, AppendResult, DecisionLogStore } from '../../src/decision-log/store.js'
import { createOutbox } from '../../src/outbox/outbox.js'
import type { Outbox } from '../../src/outbox/outbox.js'
import { entry, keysOf } from '../helpers/decision-log-suite.js'

const T0 = Date.UTC(2026, 10, 21, 10)

interface Lines {
  lines: Array<{ level: string, obj: object, msg: string }>
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

function logger (): Lines {
  const lines: Lines['lines'] = []
  return {
    lines,
    warn: (obj, msg) => { lines.push({ level: 'warn', obj, msg }) },
    error: (obj, msg) => { lines.push({ level: 'error', obj, msg }) }
  }
}

function memoryLog (): MemoryDecisionLog {
  return createMemoryDecisionLog({ keys: keysOf(1) })
}

function outbox (log: Lines = logger(), extra: { maxItems?: number } = {}): Outbox {
  return createOutbox({ log, baseBackoffMs: 1, maxBackoffMs: 2, ...extra })
}

async function scanned (log: DecisionLogStore): Promise<DecisionRecord[]> {
  const out: DecisionRecord[] = []
  for await (const record of log.scan()) out.push(record)
  return out
}

/** a resolvable promise, to await what happens in the background (a write starting) */
function signal<T = void> (): { promise: Promise<T>, resolve: (value: T) => void } {
  let done!: (value: T) => void
  const promise = new Promise<T>((resolve) => { done = resolve })
  return { promise, resolve: done }
}

t.test('record only queues; the log is written on a later turn, in batches, every record once and in order', async (t) => {
  const log = memoryLog()
  const calls: number[] = []
  const box = outbox()
  const recorder = createDecisionRecorder(box, { append: async (entries) => { calls.push(entries.length); return await log.append(entries) } })
  const entries = Array.from({ length: 450 }, (_, i) => entry(log.keys, T0 + i))
  for (const e of entries) t.equal(recorder.record(e), true, 'queued', { diagnostic: false })
  t.same(calls, [], 'nothing written in the turn that records')
  t.equal(box.stats()[DECISION_KIND]?.queued, 450)
  t.same(await box.flush(), { left: 0 })
  t.same(calls, [200, 200, 50], 'at most 200 records per write')
  t.same(recorder.stats(), { written: 450, duplicate: 0, superseded: 0 })
  const records = await scanned(log)
  t.same(records.map((r) => r.decision_id), entries.map((e) => e.key.decisionId), 'each record once, in the order recorded')
  t.equal(records[0]?.at, new Date(T0).toISOString())
  t.equal(box.stats()[DECISION_KIND]?.written, 450)
  t.same(await box.flush(), { left: 0 }, 'a flush with nothing queued resolves')
})

t.test('pending(field) gives the entry until it is written', async (t) => {
  const log = memoryLog()
  const entered = signal()
  const release = signal()
  const box = outbox()
  const recorder = createDecisionRecorder(box, {
    append: async (entries) => {
      entered.resolve()
      await release.promise
      return await log.append(entries)
    }
  })
  const e = entry(log.keys, T0)
  t.equal(recorder.pending(e.key.field), undefined, 'nothing before it is recorded')
  recorder.record(e)
  t.equal(recorder.pending(e.key.field), e, 'queued')
  const flushed = box.flush()
  await entered.promise
  t.equal(recorder.pending(e.key.field), e, 'still while the log is being written')
  t.equal(await log.get(e.key.decisionId), undefined, 'the log has not got it yet: a retry must find it here')
  release.resolve()
  await flushed
  t.equal(recorder.pending(e.key.field), undefined, 'gone once written')
  t.equal((await log.get(e.key.decisionId))?.decision_id, e.key.decisionId)
  t.equal(recorder.pending(log.keys.ofCharge('ch_never_recorded').field), undefined)
})

t.test('a later record of the same charge stays pending when an earlier one is written', async (t) => {
  const log = memoryLog()
  const calls = [signal(), signal()]
  const gates = [signal(), signal()]
  let n = 0
  const box = outbox()
  const recorder = createDecisionRecorder(box, {
    append: async (entries) => {
      const call = n++
      calls[call]?.resolve()
      await gates[call]?.promise
      return await log.append(entries)
    }
  })
  const a = entry(log.keys, T0, { chargeId: 'ch_twice', nonce: 'attempt-a' })
  const b = entry(log.keys, T0 + 1, { chargeId: 'ch_twice', nonce: 'attempt-b' })
  recorder.record(a)
  const flushed = box.flush()
  await calls[0]?.promise
  recorder.record(b)
  t.equal(recorder.pending(b.key.field), b, 'the latest attempt')
  gates[0]?.resolve()
  await calls[1]?.promise
  t.equal((await log.get(a.key.decisionId))?.at, new Date(T0).toISOString(), 'the first is written')
  t.equal(recorder.pending(b.key.field), b, 'the second still waits, and is still found')
  gates[1]?.resolve()
  await flushed
  t.equal(recorder.pending(b.key.field), undefined)
  t.same(recorder.stats(), { written: 1, duplicate: 1, superseded: 0 }, 'one charge, one record: the second is found written')
  t.equal((await scanned(log)).length, 1)
})

t.test('a failing log is retried until it takes the records: none lost, none recorded twice', async (t) => {
  const log = memoryLog()
  const lines = logger()
  const box = outbox(lines)
  let failures = 3
  let attempts = 0
  const recorder = createDecisionRecorder(box, {
    append: async (entries) => {
      attempts++
      if (failures-- > 0) throw new Error('Connection is closed.')
      return await log.append(entries)
    }
  })
  const entries = Array.from({ length: 5 }, (_, i) => entry(log.keys, T0 + i))
  for (const e of entries) recorder.record(e)
  await box.flush()
  t.equal(attempts, 4, 'three failed writes, then one that took the batch')
  t.equal(box.stats()[DECISION_KIND]?.retries, 3)
  t.same(recorder.stats(), { written: 5, duplicate: 0, superseded: 0 })
  t.same((await scanned(log)).map((r) => r.decision_id), entries.map((e) => e.key.decisionId))
  t.ok(entries.every((e) => recorder.pending(e.key.field) === undefined))
  t.equal(lines.lines.filter((l) => l.level === 'error').length, 1, 'one error line for the outage')
  t.ok(lines.lines.some((l) => l.msg.includes('writing again')), 'the recovery is logged')
  t.notOk(JSON.stringify(lines.lines).includes(entries[0]?.encoded ?? 'x'), 'logs carry no record')
})

t.test('a write whose answer was lost is resent: the log records nothing twice', async (t) => {
  const log = memoryLog()
  const box = outbox()
  let lose = true
  const results: AppendResult[][] = []
  const recorder = createDecisionRecorder(box, {
    append: async (entries) => {
      const written = await log.append(entries)
      results.push(written)
      if (lose) {
        lose = false
        // the log took the batch, but its answer never arrived (a timeout, a dropped connection)
        throw new Error('Command timed out')
      }
      return written
    }
  })
  const entries = Array.from({ length: 3 }, (_, i) => entry(log.keys, T0 + i))
  for (const e of entries) recorder.record(e)
  await box.flush()
  t.same(results, [['written', 'written', 'written'], ['duplicate', 'duplicate', 'duplicate']])
  t.same(recorder.stats(), { written: 0, duplicate: 3, superseded: 0 }, 'counted as the answer the recorder got')
  const records = await scanned(log)
  t.same(records.map((r) => r.decision_id), entries.map((e) => e.key.decisionId), 'each record once')
})

t.test('an attempt that does not hold the reservation is not recorded, and counted superseded', async (t) => {
  const log = memoryLog()
  const box = outbox()
  const recorder = createDecisionRecorder(box, log)
  const held = entry(log.keys, T0, { chargeId: 'ch_contended', nonce: 'holder' })
  const degraded = entry(log.keys, T0 + 1, { chargeId: 'ch_contended', nonce: 'degraded', fingerprint: held.fingerprint })
  t.same(await log.reserve(held.key, held.fingerprint, 'holder', 60_000), { status: 'reserved' })
  recorder.record(degraded)
  await box.flush()
  t.same(recorder.stats(), { written: 0, duplicate: 0, superseded: 1 })
  t.equal(recorder.pending(degraded.key.field), undefined, 'no longer pending: the holder\'s record is the one')
  recorder.record(held)
  await box.flush()
  t.same(recorder.stats(), { written: 1, duplicate: 0, superseded: 1 })
  const records = await scanned(log)
  t.equal(records.length, 1)
  t.equal(records[0]?.at, new Date(T0).toISOString(), 'the holder\'s record')
})

t.test('a full outbox refuses the record: record answers false, the drop is counted, nothing is pending', async (t) => {
  const log = memoryLog()
  const box = outbox(logger(), { maxItems: 2 })
  const recorder = createDecisionRecorder(box, log)
  const entries = Array.from({ length: 3 }, (_, i) => entry(log.keys, T0 + i))
  t.same(entries.map((e) => recorder.record(e)), [true, true, false])
  t.equal(recorder.pending((entries[2] as AppendEntry).key.field), undefined)
  t.equal(box.stats()[DECISION_KIND]?.dropped.full, 1)
  await box.flush()
  t.same(recorder.stats(), { written: 2, duplicate: 0, superseded: 0 })
  t.equal((await scanned(log)).length, 2)
})

t.test('what the log never took by close is dropped, counted as shutdown, and no longer pending', async (t) => {
  const box = outbox()
  const recorder = createDecisionRecorder(box, { append: async () => { throw new Error('Connection is closed.') } })
  const e = entry(keysOf(1), T0)
  recorder.record(e)
  await box.close(0)
  t.equal(box.stats()[DECISION_KIND]?.dropped.shutdown, 1)
  t.equal(recorder.pending(e.key.field), undefined)
  t.same(recorder.stats(), { written: 0, duplicate: 0, superseded: 0 })
  t.equal(recorder.record(entry(keysOf(1), T0)), false, 'a closed outbox takes nothing')
})

t.test('onRecorded tells each entry the log took, after the write, with its answer; a failed write tells nothing', async (t) => {
  const log = memoryLog()
  const box = outbox()
  let fail = true
  const recorder = createDecisionRecorder(box, {
    append: async (entries) => {
      if (fail) {
        fail = false
        throw new Error('store unavailable')
      }
      return await log.append(entries)
    }
  })
  const told: Array<[string, AppendResult]> = []
  const landed: Array<Promise<boolean>> = []
  recorder.onRecorded((e, result) => {
    told.push([e.key.decisionId, result])
    // asked at once: the record is in the log when the listener hears of it
    if (result !== 'superseded') landed.push(log.get(e.key.decisionId).then((record) => record !== undefined))
  })
  recorder.onRecorded(() => { throw new Error('a faulty listener') })
  const held = entry(log.keys, T0, { chargeId: 'ch_listened_held', nonce: 'holder' })
  const degraded = entry(log.keys, T0 + 1, { chargeId: 'ch_listened_held', nonce: 'degraded', fingerprint: held.fingerprint })
  t.same(await log.reserve(held.key, held.fingerprint, 'holder', 60_000), { status: 'reserved' })
  const first = entry(log.keys, T0)
  recorder.record(first)
  recorder.record(degraded)
  await box.flush()
  t.same(told, [[first.key.decisionId, 'written'], [degraded.key.decisionId, 'superseded']], 'once each, after the write that succeeded')
  t.same(await Promise.all(landed), [true])
  t.equal(box.stats()[DECISION_KIND]?.retries, 1, 'the failed write was retried, the throwing listener retried nothing')
  t.equal(recorder.stats().written, 1)
  recorder.record(first)
  await box.flush()
  t.same(told[2], [first.key.decisionId, 'duplicate'], 'a resent record is told as a duplicate')
})
