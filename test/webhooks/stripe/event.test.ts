import t from 'tap'
import { meaningOf, parseStripeEvent } from '../../../src/webhooks/stripe/event.js'

const event = (type: string, object: Record<string, unknown>) => parseStripeEvent({ id: 'evt_test_1', object: 'event', type, data: { object } })

t.test('parse: id, type and data.object, or nothing', async (t) => {
  t.same(event('charge.succeeded', { object: 'charge', id: 'ch_1' }), { id: 'evt_test_1', type: 'charge.succeeded', object: { object: 'charge', id: 'ch_1' } })
  t.equal(parseStripeEvent({ id: 'evt_1', type: 'charge.succeeded', data: {} }), undefined, 'no data.object')
  t.equal(parseStripeEvent({ id: 'evt 1', type: 'charge.succeeded', data: { object: {} } }), undefined, 'an odd id')
  t.equal(parseStripeEvent({ id: 'evt_1', data: { object: {} } }), undefined, 'no type')
  t.equal(parseStripeEvent([]), undefined)
  t.equal(parseStripeEvent(null), undefined)
})

t.test('meanings', async (t) => {
  const metadata = { riskgate_decision_id: 'D1', riskgate_charge_id: 'C1' }
  t.same(meaningOf(event('charge.succeeded', { object: 'charge', id: 'ch_1', status: 'succeeded', metadata })!),
    { stripeChargeId: 'ch_1', decisionId: 'D1', chargeId: 'C1', label: 'legit' })
  t.same(meaningOf(event('charge.refunded', { object: 'charge', id: 'ch_1', refunded: true, metadata: {} })!), { stripeChargeId: 'ch_1', label: 'refund' })
  t.same(meaningOf(event('charge.dispute.created', { object: 'dispute', id: 'du_1', charge: 'ch_1', reason: 'fraudulent' })!), { stripeChargeId: 'ch_1', label: 'fraud' })
  t.same(meaningOf(event('charge.dispute.created', { object: 'dispute', id: 'du_1', charge: 'ch_1', reason: 'product_not_received' })!), { stripeChargeId: 'ch_1', label: 'chargeback' })
  t.same(meaningOf(event('charge.dispute.created', { object: 'dispute', id: 'du_1', charge: { object: 'charge', id: 'ch_2', metadata }, reason: 'general' })!),
    { stripeChargeId: 'ch_2', decisionId: 'D1', chargeId: 'C1', label: 'chargeback' }, 'an expanded charge')
  t.same(meaningOf(event('radar.early_fraud_warning.created', { object: 'radar.early_fraud_warning', id: 'issfr_1', charge: 'ch_1', fraud_type: 'made_with_stolen_card' })!),
    { stripeChargeId: 'ch_1', label: 'fraud' })
  t.same(meaningOf(event('charge.dispute.created', { object: 'dispute', id: 'du_1', charge: 'ch_1', payment_intent: 'pi_1', reason: 'fraudulent' })!),
    { stripeChargeId: 'ch_1', paymentIntentId: 'pi_1', label: 'fraud' }, 'the PaymentIntent id too')
  t.same(meaningOf(event('charge.refunded', { object: 'charge', id: 'ch_1', payment_intent: 'pi_1' })!), { stripeChargeId: 'ch_1', paymentIntentId: 'pi_1', label: 'refund' })
  t.same(meaningOf(event('charge.failed', { object: 'charge', id: 'ch_1', metadata })!), {}, 'other types mean nothing')
  t.same(meaningOf(event('customer.created', { object: 'customer', id: 'cus_1' })!), {})
  t.same(meaningOf(event('charge.succeeded', { object: 'payment_intent', id: 'pi_1' })!), {}, 'a type with an object it never carries')
})
