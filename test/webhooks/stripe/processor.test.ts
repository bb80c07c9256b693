import t from 'tap'
import { createStripeEventProcessor, STRIPE_EVENT_KIND } from '../../../src/webhooks/stripe/processor.js'
import type { StripeEvent } from '../../../src/webhooks/stripe/event.js'
import { entry } from '../../helpers/decision-log-suite.js'
import { checkFullOutboxReleases, checkHeldThenUnmatched, memoryLog, outbox, quiet, T0 } from '../../helpers/gateway-processor.js'

const dispute = (id: string, charge: string, reason = 'general'): StripeEvent =>
  ({ id, type: 'charge.dispute.created', object: { id: `du_${id}`, object: 'dispute', charge, reason } })

t.test('the decision is found by riskgate_decision_id, riskgate_charge_id, then the Stripe charge id (direct or linked)', async (t) => {
  const log = memoryLog()
  const byId = entry(log.keys, T0)
  const byChargeId = entry(log.keys, T0 + 1, { chargeId: 'order_42' })
  const byStripeId = entry(log.keys, T0 + 2, { chargeId: 'ch_direct' })
  await log.append([byId, byChargeId, byStripeId])
  const processor = createStripeEventProcessor({ store: log, dedupe: { release: async () => {} }, outbox: outbox(), log: quiet })
  const label = async (id: string): Promise<string | undefined> => (await log.get(id))?.outcome?.label
  const succeeded = (n: number, metadata: Record<string, string>): StripeEvent =>
    ({ id: `evt_${n}`, type: 'charge.succeeded', object: { id: `ch_${n}`, object: 'charge', status: 'succeeded', metadata } })

  t.equal(await processor.process(succeeded(1, { riskgate_decision_id: byId.key.decisionId })), 'applied')
  t.equal(await label(byId.key.decisionId), 'legit')
  t.equal(await processor.process(succeeded(2, { riskgate_charge_id: 'order_42' })), 'applied')
  t.equal(await label(byChargeId.key.decisionId), 'legit')
  t.equal(await processor.process(dispute('evt_3', 'ch_direct')), 'applied')
  t.equal(await label(byStripeId.key.decisionId), 'chargeback')
  t.equal(await log.findByChargeId('ch_1'), byId.key.decisionId, 'charge.succeeded linked ch_1')
  t.equal(await processor.process({ id: 'evt_4', type: 'radar.early_fraud_warning.created', object: { id: 'issfr_1', object: 'radar.early_fraud_warning', charge: 'ch_1' } }), 'applied')
  t.equal(await label(byId.key.decisionId), 'fraud')
  t.equal(await processor.process({ id: 'evt_5', type: 'charge.refunded', object: { id: 'ch_1', object: 'charge', refunded: true, metadata: {} } }), 'kept', 'a refund keeps the fraud')
  t.equal(await processor.process({ id: 'evt_6', type: 'customer.created', object: { id: 'cus_1', object: 'customer' } }), 'ignored')
  t.same(processor.stats(), { applied: 4, kept: 1, unmatched: 0, ignored: 1, failed: 0 })
})

t.test('scored with the PaymentIntent id: charge.succeeded finds it and links the charge id for the dispute', async (t) => {
  const log = memoryLog()
  const recorded = entry(log.keys, T0, { chargeId: 'pi_scored_first' })
  await log.append([recorded])
  const processor = createStripeEventProcessor({ store: log, dedupe: { release: async () => {} }, outbox: outbox(), log: quiet })
  t.equal(await processor.process({ id: 'evt_pi_1', type: 'charge.succeeded', object: { id: 'ch_pi', object: 'charge', payment_intent: 'pi_scored_first', metadata: {} } }), 'applied')
  t.equal(await log.findByChargeId('ch_pi'), recorded.key.decisionId, 'the charge id is linked')
  t.equal(await processor.process({ id: 'evt_pi_2', type: 'charge.dispute.created', object: { id: 'du_pi', object: 'dispute', charge: 'ch_pi', reason: 'fraudulent' } }), 'applied')
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.label, 'fraud')
})

const stripe = { create: createStripeEventProcessor, kind: STRIPE_EVENT_KIND, source: 'stripe' } as const

t.test('an event whose decision never lands is counted unmatched past the hold limit; one the outbox cannot write releases its claim', async (t) => {
  await checkHeldThenUnmatched(t, stripe, dispute('evt_lost', 'ch_never_scored', 'fraudulent'), 'stripe webhook: no recorded decision for this charge')
  await checkFullOutboxReleases(t, stripe, dispute('evt_full', 'ch_x'))
})
