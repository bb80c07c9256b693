import t from 'tap'
import { createEventDedupe } from '../../../src/webhooks/event-dedupe.js'
import { createOmiseEventProcessor, OMISE_EVENT_KIND } from '../../../src/webhooks/omise/processor.js'
import type { OmiseProcessorOptions } from '../../../src/webhooks/omise/processor.js'
import type { MemoryDecisionLog } from '../../../src/decision-log/memory-store.js'
import { entry } from '../../helpers/decision-log-suite.js'
import { checkFullOutboxReleases, checkHeldThenUnmatched, HASH_KEY, memoryLog, outbox, quiet, T0 } from '../../helpers/gateway-processor.js'

/** a resolvable promise, to await what happens in the background */
function signal (): { promise: Promise<void>, resolve: () => void } {
  let done!: () => void
  const promise = new Promise<void>((resolve) => { done = resolve })
  return { promise, resolve: done }
}

/** the log, with setOutcome failing (the store unavailable) while `broken.now` is true */
function flakyStore (log: MemoryDecisionLog, broken: { now: boolean, failed: ReturnType<typeof signal> }): OmiseProcessorOptions['store'] {
  return {
    keys: log.keys,
    lookup: log.lookup,
    findByChargeId: log.findByChargeId,
    linkCharge: log.linkCharge,
    setOutcome: async (id, write) => {
      if (broken.now) {
        broken.failed.resolve()
        throw new Error('Connection is closed.')
      }
      return await log.setOutcome(id, write)
    }
  }
}

t.test('the store unavailable: the event is retried through the outbox until it is applied, and its claim kept', async (t) => {
  const log = memoryLog()
  const recorded = entry(log.keys, T0, { chargeId: 'chrg_test_retry' })
  await log.append([recorded])
  const dedupe = createEventDedupe({ redis: null, hashKey: HASH_KEY, source: 'omise' })
  const broken = { now: true, failed: signal() }
  const box = outbox()
  const processor = createOmiseEventProcessor({ store: flakyStore(log, broken), dedupe, outbox: box, log: quiet })
  const event = { id: 'evnt_test_r', key: 'refund.create', data: { object: 'refund', charge: 'chrg_test_retry' } }
  t.equal(await dedupe.claim(event.id), true)
  processor.submit(event)
  await broken.failed.promise
  broken.now = false
  await box.flush()
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.label, 'refund')
  t.same(processor.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
  t.ok((box.stats()[OMISE_EVENT_KIND]?.retries ?? 0) >= 1, 'the failed write was retried')
  t.equal(await dedupe.claim(event.id), false, 'still claimed: a redelivery is a duplicate')
})

const omise = { create: createOmiseEventProcessor, kind: OMISE_EVENT_KIND, source: 'omise' } as const

t.test('an event the outbox could not write (left at shutdown, or the outbox full) releases its claim, so a redelivery is applied', async (t) => {
  const log = memoryLog()
  const recorded = entry(log.keys, T0, { chargeId: 'chrg_test_f' })
  await log.append([recorded])
  const dedupe = createEventDedupe({ redis: null, hashKey: HASH_KEY, source: 'omise' })
  const errors: string[] = []
  const broken = { now: true, failed: signal() }
  const box = outbox()
  const processor = createOmiseEventProcessor({ store: flakyStore(log, broken), dedupe, outbox: box, log: { ...quiet, error: (_obj, msg) => { errors.push(msg) } } })
  const event = { id: 'evnt_test_f', key: 'refund.create', data: { object: 'refund', charge: 'chrg_test_f' } }
  t.equal(await dedupe.claim(event.id), true)
  processor.submit(event)
  await broken.failed.promise
  // the store is still down when the service stops
  await box.close(0)
  t.equal(processor.stats().failed, 1)
  t.equal(box.stats()[OMISE_EVENT_KIND]?.dropped.shutdown, 1)
  t.ok(errors.some((msg) => msg.includes('event not applied')), 'logged')
  t.equal(await dedupe.claim(event.id), true, 'released: the redelivery claims it')

  // the redelivery, to the next process, with the store back
  const next = outbox()
  const again = createOmiseEventProcessor({ store: log, dedupe, outbox: next, log: quiet })
  again.submit(event)
  await next.flush()
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.label, 'refund')
  t.equal(again.stats().applied, 1)

  await checkFullOutboxReleases(t, omise, { id: 'evnt_test_full', key: 'refund.create', data: { object: 'refund', charge: 'chrg_test_f' } }, log)
})

t.test('an event that arrives before its decision is recorded is held, then applied once the record lands', async (t) => {
  const log = memoryLog()
  const later = entry(log.keys, T0, { chargeId: 'ch_recorded_later' })
  const answers: string[] = []
  const tried = signal()
  const box = outbox()
  const processor = createOmiseEventProcessor({
    store: {
      keys: log.keys,
      lookup: async (key) => {
        const found = await log.lookup(key)
        answers.push(found.status)
        tried.resolve()
        return found
      },
      findByChargeId: log.findByChargeId,
      linkCharge: log.linkCharge,
      setOutcome: log.setOutcome
    },
    dedupe: { release: async () => { t.fail('a held event keeps its claim') } },
    outbox: box,
    log: quiet
  })
  const event = {
    id: 'evnt_test_early',
    key: 'charge.complete',
    data: { object: 'charge', id: 'chrg_test_early', status: 'failed', failure_code: 'stolen_or_lost_card', metadata: { riskgate_charge_id: 'ch_recorded_later' } }
  }
  processor.submit(event)
  await tried.promise
  t.same(answers, ['none'], 'tried: no decision yet')
  t.same(processor.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }, 'neither applied nor unmatched: held')
  t.equal(box.stats()[OMISE_EVENT_KIND]?.queued, 1, 'waiting in the outbox')

  t.same(await log.append([later]), ['written'])
  await box.flush()
  t.equal((await log.get(later.key.decisionId))?.outcome?.label, 'fraud', 'applied to the decision that landed')
  t.equal((await log.get(later.key.decisionId))?.outcome?.event_id, 'evnt_test_early')
  t.same(processor.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
  t.equal(await log.findByChargeId('chrg_test_early'), later.key.decisionId, 'the Omise charge id is linked')
  t.equal(box.stats()[OMISE_EVENT_KIND]?.dropped.expired, 0)
})

t.test('an event whose decision never lands is counted unmatched once held past the hold limit; its claim is kept', async (t) => {
  await checkHeldThenUnmatched(t, omise, { id: 'evnt_test_lost', key: 'dispute.create', data: { object: 'dispute', id: 'dspt_test_lost', charge: 'chrg_test_never_scored' } },
    'omise webhook: no recorded decision for this charge')
})

t.test('a riskgate_decision_id that is not a decision id falls back to the charge ids', async (t) => {
  const log = memoryLog()
  const recorded = entry(log.keys, T0, { chargeId: 'ch_by_metadata' })
  await log.append([recorded])
  const processor = createOmiseEventProcessor({ store: log, dedupe: { release: async () => {} }, outbox: outbox(), log: quiet })
  for (const decisionId of ['dec_gone', '00000000-0000-4000-8000-000000000000']) {
    const result = await processor.process({
      id: `evnt_test_${decisionId}`,
      key: 'charge.complete',
      data: { object: 'charge', id: 'chrg_test_g', status: 'successful', metadata: { riskgate_decision_id: decisionId, riskgate_charge_id: 'ch_by_metadata' } }
    })
    t.equal(result, 'applied', decisionId)
  }
  t.equal(await log.findByChargeId('chrg_test_g'), recorded.key.decisionId, 'the Omise charge id is linked')
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.label, 'legit')
})

t.test('the decision is found by riskgate_decision_id, riskgate_charge_id, then the Omise charge id', async (t) => {
  const log = memoryLog()
  const byId = entry(log.keys, T0)
  const byChargeId = entry(log.keys, T0 + 1, { chargeId: 'ch_metadata_charge_id' })
  const byOmiseId = entry(log.keys, T0 + 2, { chargeId: 'chrg_test_direct' })
  await log.append([byId, byChargeId, byOmiseId])
  const processor = createOmiseEventProcessor({ store: log, dedupe: { release: async () => {} }, outbox: outbox(), log: quiet })
  const label = async (id: string): Promise<string | undefined> => (await log.get(id))?.outcome?.label
  const refundOf = (n: number, metadata: Record<string, string>): Parameters<typeof processor.process>[0] =>
    ({ id: `evnt_${n}`, key: 'refund.create', data: { object: 'refund', charge: { object: 'charge', id: `chrg_test_${n}`, metadata } } })

  t.equal(await processor.process(refundOf(1, { riskgate_decision_id: byId.key.decisionId })), 'applied')
  t.equal(await label(byId.key.decisionId), 'refund')
  t.equal(await processor.process(refundOf(2, { riskgate_charge_id: 'ch_metadata_charge_id' })), 'applied')
  t.equal(await label(byChargeId.key.decisionId), 'refund')
  t.equal(await processor.process({ id: 'evnt_3', key: 'dispute.create', data: { object: 'dispute', charge: 'chrg_test_direct' } }), 'applied')
  t.equal(await label(byOmiseId.key.decisionId), 'chargeback')
  t.equal(await processor.process({ id: 'evnt_4', key: 'dispute.create', data: { object: 'dispute', charge: 'chrg_test_1' } }), 'applied', 'linked by the first event')
  t.equal(await label(byId.key.decisionId), 'chargeback')
  t.equal(await processor.process({ id: 'evnt_5', key: 'customer.create', data: { object: 'customer', id: 'cust_1' } }), 'ignored')
  t.equal(await processor.process({ id: 'evnt_6', key: 'charge.complete', data: { object: 'charge', id: 'chrg_test_1', status: 'successful' } }), 'kept',
    'a late legit keeps the chargeback')
  t.equal(await label(byId.key.decisionId), 'chargeback')
})
