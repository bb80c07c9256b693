import t from 'tap'
import { createMemoryDecisionLog } from '../../../src/decision-log/memory-store.js'
import { createEventDedupe } from '../../../src/webhooks/event-dedupe.js'
import { createOmiseEventProcessor } from '../../../src/webhooks/omise/processor.js'
import { decisionRecord } from '../../helpers/decision-log-suite.js'

const quiet = { info: () => {}, warn: () => {}, error: () => {} }

t.test('a failure releases the claim, so a redelivery is applied', async (t) => {
  const store = createMemoryDecisionLog()
  const record = decisionRecord('2026-11-21T10:00:00.000Z')
  await store.append([record])
  const dedupe = createEventDedupe({ redis: null, hashKey: 'test-hash-key-0123456789abcdef0123', source: 'omise' })
  let broken = true
  const errors: string[] = []
  const processor = createOmiseEventProcessor({
    store: {
      has: store.has,
      findByChargeId: store.findByChargeId,
      linkCharge: store.linkCharge,
      setOutcome: async (id, write) => {
        if (broken) throw new Error('Connection is closed.')
        return await store.setOutcome(id, write)
      }
    },
    dedupe,
    log: { ...quiet, error: (_obj, msg) => { errors.push(msg) } }
  })
  const event = { id: 'evnt_test_f', key: 'refund.create', data: { object: 'refund', charge: record.charge_id } }
  t.equal(await dedupe.claim(event.id), true)
  processor.submit(event)
  await processor.flush()
  t.equal(processor.stats().failed, 1)
  t.equal(errors.length, 1)
  t.equal(await dedupe.claim(event.id), true, 'released: the redelivery claims it')
  broken = false
  processor.submit(event)
  await processor.flush()
  t.equal((await store.get(record.decision_id))?.outcome?.label, 'refund')
  t.equal(processor.stats().applied, 1)
})

t.test('an unknown riskgate_decision_id falls back to the charge ids', async (t) => {
  const store = createMemoryDecisionLog()
  const record = decisionRecord('2026-11-21T10:00:00.000Z')
  await store.append([record])
  const processor = createOmiseEventProcessor({ store, dedupe: { release: async () => {} }, log: quiet })
  const result = await processor.process({
    id: 'evnt_test_g',
    key: 'charge.complete',
    data: { object: 'charge', id: 'chrg_test_g', status: 'successful', metadata: { riskgate_decision_id: 'dec_gone', riskgate_charge_id: record.charge_id } }
  })
  t.equal(result, 'applied')
  t.equal(await store.findByChargeId('chrg_test_g'), record.decision_id, 'the Omise charge id is linked')
})
