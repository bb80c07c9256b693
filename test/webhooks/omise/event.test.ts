import t from 'tap'
import { meaningOf, parseOmiseEvent } from '../../../src/webhooks/omise/event.js'
import type { OmiseEvent } from '../../../src/webhooks/omise/event.js'

const event = (key: string, data: Record<string, unknown>): OmiseEvent => ({ id: 'evnt_test_1', key, data })
const charge = (extra: Record<string, unknown> = {}) => ({ object: 'charge', id: 'chrg_test_1', status: 'successful', metadata: { riskgate_decision_id: 'dec_1', order: 'o_9' }, ...extra })

t.test('parseOmiseEvent takes id, key and data, nothing else', async (t) => {
  t.same(parseOmiseEvent({ object: 'event', id: 'evnt_test_1', key: 'charge.complete', data: { object: 'charge' }, livemode: false }),
    { id: 'evnt_test_1', key: 'charge.complete', data: { object: 'charge' } })
  for (const bad of [null, 'x', [], {}, { id: 'evnt 1', key: 'k', data: {} }, { id: 'evnt_1', key: 'k', data: [] }, { id: 'evnt_1', key: 'k' }, { id: 1, key: 'k', data: {} }]) {
    t.equal(parseOmiseEvent(bad), undefined, JSON.stringify(bad))
  }
})

t.test('charge.complete: successful is legit; a failure is fraud only for stolen_or_lost_card', async (t) => {
  t.same(meaningOf(event('charge.complete', charge())), { label: 'legit', omiseChargeId: 'chrg_test_1', decisionId: 'dec_1' })
  t.same(meaningOf(event('charge.complete', charge({ status: 'failed', failure_code: 'stolen_or_lost_card' }))).label, 'fraud')
  t.equal(meaningOf(event('charge.complete', charge({ status: 'failed', failure_code: 'insufficient_fund' }))).label, undefined)
  t.equal(meaningOf(event('charge.complete', charge({ status: 'pending' }))).label, undefined)
  t.equal(meaningOf(event('charge.failed', charge({ status: 'failed', failure_code: 'stolen_or_lost_card' }))).label, 'fraud')
  t.equal(meaningOf(event('charge.failed', charge())).label, undefined, 'charge.failed never means legit')
})

t.test('refund.create and dispute.create, with the charge as an id or expanded', async (t) => {
  t.same(meaningOf(event('refund.create', { object: 'refund', id: 'rfnd_test_1', charge: 'chrg_test_1' })), { label: 'refund', omiseChargeId: 'chrg_test_1' })
  t.same(meaningOf(event('dispute.create', { object: 'dispute', id: 'dspt_test_1', charge: 'chrg_test_1', metadata: { riskgate_charge_id: 'order-42' } })),
    { label: 'chargeback', omiseChargeId: 'chrg_test_1', chargeId: 'order-42' })
  t.same(meaningOf(event('dispute.create', { object: 'dispute', charge: charge() })),
    { label: 'chargeback', omiseChargeId: 'chrg_test_1', decisionId: 'dec_1' })
})

t.test('other events carry no outcome; odd shapes are ignored', async (t) => {
  t.same(meaningOf(event('charge.create', charge({ status: 'pending' }))), { omiseChargeId: 'chrg_test_1', decisionId: 'dec_1' }, 'only the link')
  t.same(meaningOf(event('customer.create', { object: 'customer', id: 'cust_1' })), {})
  t.same(meaningOf(event('refund.create', { object: 'charge', id: 'chrg_test_1' })), { omiseChargeId: 'chrg_test_1' }, 'key and object disagree: no outcome')
  t.same(meaningOf(event('charge.complete', { object: 'charge', status: 'successful', metadata: { riskgate_decision_id: 42 } })), { label: 'legit' }, 'non-string metadata ignored')
  t.same(meaningOf(event('charge.complete', { object: 'charge', status: 'successful', metadata: { riskgate_decision_id: 'x'.repeat(65) } })), { label: 'legit' }, 'too long')
})
