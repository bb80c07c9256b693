import t from 'tap'
import type { Test } from 'tap'
import { createMemoryDecisionLog } from '../../../src/decision-log/memory-store.js'
import type { MemoryDecisionLog } from '../../../src/decision-log/memory-store.js'
import { createOutbox } from '../../../src/outbox/outbox.js'
import type { OutboxOptions } from '../../../src/outbox/outbox.js'
import { createOutcomeImporter, IMPORT_EVENT_KIND } from '../../../src/outcomes/import/importer.js'
import type { OutcomeImporterOptions } from '../../../src/outcomes/import/importer.js'
import { createEventDedupe } from '../../../src/webhooks/event-dedupe.js'
import { entry, keysOf } from '../../helpers/decision-log-suite.js'

const quiet = { info: () => {}, warn: () => {}, error: () => {} }
const T0 = Date.UTC(2026, 10, 21, 10)
const HASH_KEY = 'test-hash-key-0123456789abcdef0123'

/** an importer on an in-process log and outbox; the outbox (and the rows it holds) closed when the test ends */
function setup (t: Test, extra: Partial<Pick<OutcomeImporterOptions, 'dedupe' | 'maxHeld'>> & { outboxOptions?: Partial<OutboxOptions>, store?: MemoryDecisionLog } = {}) {
  const log = extra.store ?? createMemoryDecisionLog({ keys: keysOf(1) })
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1, maxBackoffMs: 2, ...extra.outboxOptions })
  t.teardown(() => outbox.close(0))
  const dedupe = createEventDedupe({ redis: null, hashKey: HASH_KEY, source: 'import' })
  const { outboxOptions: _o, store: _s, ...options } = extra
  const importer = createOutcomeImporter({ store: log, dedupe, outbox, log: quiet, hashKey: HASH_KEY, now: () => T0, ...options })
  return { log, outbox, dedupe, importer }
}

const row = (chargeId: string, outcome = 'fraud', eventId = `ev_${chargeId}`): Record<string, string> => ({ charge_id: chargeId, outcome, event_id: eventId })

t.test('a row held past the hold limit is counted unmatched and its claim released: importing it again holds it again', async (t) => {
  let clock = T0
  const { log, outbox, importer } = setup(t, {
    outboxOptions: { now: () => clock }
  })
  const lookups = log.findByChargeId
  log.findByChargeId = async (id) => { clock += 10 * 60_000; return await lookups(id) }
  t.same((await importer.importRows('generic', [row('never_scored')], 'key:a')).map((r) => r.status), ['held'])
  await outbox.flush()
  await outbox.flush()
  await outbox.flush()
  t.equal(importer.stats().unmatched, 1)
  t.equal(outbox.stats()[IMPORT_EVENT_KIND]?.dropped.expired, 1)
  t.same((await importer.importRows('generic', [row('never_scored')], 'key:a')).map((r) => r.status), ['held'], 'not a duplicate: the claim was released')
})

t.test('held rows are bounded: past the limit a row is refused hold_full and its claim released', async (t) => {
  const { importer } = setup(t, { maxHeld: 2 })
  const results = await importer.importRows('generic', [row('a'), row('b'), row('c')], 'key:a')
  t.same(results.map((r) => [r.status, r.code]), [['held', undefined], ['held', undefined], ['refused', 'hold_full']])
  t.same((await importer.importRows('generic', [row('c')], 'key:a')).map((r) => r.code), ['hold_full'], 'refused again, not a duplicate')
})

t.test('a store fault holds the row; the outbox applies it once the store answers', async (t) => {
  const log = createMemoryDecisionLog({ keys: keysOf(1) })
  const recorded = entry(log.keys, T0, { chargeId: 'order_fault' })
  await log.append([recorded])
  let down = true
  const setOutcome = log.setOutcome
  log.setOutcome = async (id, write) => {
    if (down) throw new Error('connection lost')
    return await setOutcome(id, write)
  }
  const { outbox, importer } = setup(t, { store: log })
  t.same((await importer.importRows('generic', [row('order_fault', 'chargeback')], 'key:a')).map((r) => r.status), ['held'])
  down = false
  await outbox.flush()
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.label, 'chargeback')
  t.equal(importer.stats().applied, 1)
})

t.test('a claim the event store cannot make stops the import there', async (t) => {
  const { importer } = setup(t, { dedupe: { claim: async () => { throw new Error('redis down') }, release: async () => {} } })
  await t.rejects(importer.importRows('generic', [row('x')], 'key:a'), /redis down/)
  t.same(importer.rowCounts(), [])
})
