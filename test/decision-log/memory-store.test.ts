import t from 'tap'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import { decisionLogSuite, entry, keysOf } from '../helpers/decision-log-suite.js'
import { decisionLogSearchSuite } from '../helpers/decision-log-search-suite.js'

t.test('shared decision log behaviour', async (t) => {
  decisionLogSuite(t, async (_t, options = {}) => createMemoryDecisionLog({
    keys: keysOf(options.partitions ?? 1),
    ...(options.maxRecords !== undefined ? { maxRecords: options.maxRecords } : {}),
    ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {})
  }))
})

t.test('search, review queue, outcome history and overview', async (t) => {
  decisionLogSearchSuite(t, async (_t, options = {}) => createMemoryDecisionLog({
    keys: keysOf(options.partitions ?? 1),
    ...(options.maxRecords !== undefined ? { maxRecords: options.maxRecords } : {}),
    ...(options.examineMax !== undefined ? { examineMax: options.examineMax } : {})
  }), { propertyRuns: 200 })
})

t.test('a reservation lapses after its time: the next attempt reserves the charge', async (t) => {
  let now = 1_000_000
  const log = createMemoryDecisionLog({ keys: keysOf(1), now: () => now })
  const e = entry(log.keys, now)
  t.same(log.reserveSync(e.key, 'fp', 'first', 1000), { status: 'reserved' })
  now += 999
  t.same(log.reserveSync(e.key, 'fp', 'second', 1000), { status: 'pending', fingerprint: 'fp' })
  now += 1
  t.same(log.reserveSync(e.key, 'fp', 'second', 1000), { status: 'reserved' }, 'lapsed: taken over')
  t.same(await log.append([{ ...e, nonce: 'first' }]), ['superseded'], 'the first attempt\'s late record does not land over the second')
  t.same(await log.append([{ ...e, nonce: 'second' }]), ['written'])
})

t.test('memory stays bounded: records, reservations and contexts', async (t) => {
  let now = 1_000_000
  const log = createMemoryDecisionLog({ keys: keysOf(1), maxRecords: 100, now: () => now })
  for (let i = 0; i < 1000; i++) {
    const e = entry(log.keys, now)
    log.reserveSync(e.key, e.fingerprint, 'other', 10)
    now += 20
    await log.append([e])
  }
  const stats = log.stats()
  t.equal(stats.records, 100)
  t.ok(stats.pending <= 16, `lapsed reservations are swept (${stats.pending} left)`)
  t.equal(stats.contexts, 1, 'one context shared by every record')
})

t.test('the overview\'s hourly counts are kept for the TTL only', async (t) => {
  let now = Date.UTC(2026, 11, 1)
  const log = createMemoryDecisionLog({ keys: keysOf(1), ttlSeconds: 2 * 3600, now: () => now })
  for (let hour = 0; hour < 10; hour++) {
    await log.append([entry(log.keys, now)])
    now += 3600_000
  }
  t.ok(log.stats().hours <= 4, `hours older than the TTL are dropped (${log.stats().hours} kept)`)
  const overview = await log.overview({ range: { from: new Date(now - 3 * 3600_000), to: new Date(now) }, bucket: 'hour' })
  t.same(overview.buckets.map((b) => b.decisions.review), [1, 1, 1], 'the recent ones are counted')
})
