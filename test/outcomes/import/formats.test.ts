import t from 'tap'
import { normalizeColumn, normalizeRow } from '../../../src/outcomes/import/columns.js'
import { FORMATS, missingColumns } from '../../../src/outcomes/import/formats.js'
import { parseReportedAt } from '../../../src/outcomes/import/reported-at.js'
import { RowRefused } from '../../../src/outcomes/import/row-error.js'
import { disputeLabel } from '../../../src/webhooks/stripe/event.js'
import { OBJECT_OUTCOMES } from '../../../src/webhooks/omise/event.js'

const NOW = Date.UTC(2026, 11, 5, 12)
const read = (format: keyof typeof FORMATS, row: Record<string, unknown>) => FORMATS[format].read(normalizeRow(row), NOW)
const refusal = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    if (err instanceof RowRefused) return err.code
    throw err
  }
  return undefined
}

t.test('column names are matched loosely', async (t) => {
  t.equal(normalizeColumn('Charge ID'), 'charge_id')
  t.equal(normalizeColumn('Created (UTC)'), 'created_utc')
  t.equal(normalizeColumn('riskgate_decision_id (metadata)'), 'riskgate_decision_id_metadata')
  t.equal(normalizeColumn('metadata.riskgate_decision_id'), 'metadata_riskgate_decision_id')
  t.equal(normalizeColumn('  Payment-Intent  ID '), 'payment_intent_id')
  t.same([...normalizeRow({ 'Charge ID': '', charge_id: 'ch_1' })], [['charge_id', 'ch_1']], 'an empty column does not hide another of the same name')
})

t.test('the header check names what a format lacks', async (t) => {
  t.same(missingColumns('stripe-disputes', ['id', 'Created (UTC)', 'Reason', 'Status', 'Charge ID']), [])
  t.same(missingColumns('stripe-disputes', ['id', 'reason', 'payment_intent']), [], 'the API\'s names')
  t.same(missingColumns('stripe-disputes', ['id', 'Amount']), ['Reason', 'Charge ID (or Payment Intent ID, riskgate_decision_id, riskgate_charge_id)'])
  t.same(missingColumns('omise', ['id', 'metadata.riskgate_charge_id']), [])
  t.same(missingColumns('generic', ['charge_id']), ['outcome'])
  t.same(missingColumns('generic', ['label', 'Decision ID']), [])
})

t.test('times: ISO 8601 with or without zone (UTC), a date, Unix seconds; nothing invalid or a day ahead', async (t) => {
  t.equal(parseReportedAt('2026-11-28 09:14:02', NOW), '2026-11-28T09:14:02.000Z')
  t.equal(parseReportedAt('2026-11-28T09:14:02Z', NOW), '2026-11-28T09:14:02.000Z')
  t.equal(parseReportedAt('2026-11-28T16:14:02+07:00', NOW), '2026-11-28T09:14:02.000Z')
  t.equal(parseReportedAt('2026-11-28T16:14+0700', NOW), '2026-11-28T09:14:00.000Z')
  t.equal(parseReportedAt('2026-11-28T09:14:02.123456Z', NOW), '2026-11-28T09:14:02.123Z')
  t.equal(parseReportedAt('2026-11-28', NOW), '2026-11-28T00:00:00.000Z')
  t.equal(parseReportedAt('1764321242', NOW), '2025-11-28T09:14:02.000Z')
  for (const bad of ['2026-02-30', '2026-13-01', '2026-11-28 24:00', '28/11/2026', 'yesterday', '2026-11-28T09:14:02+15:00', '2026-12-07']) {
    t.equal(parseReportedAt(bad, NOW), undefined, bad)
  }
  t.equal(parseReportedAt('2026-12-06 11:00:00', NOW), '2026-12-06T11:00:00.000Z', 'less than a day ahead (a zone mistaken for UTC)')
})

t.test('stripe-disputes: the webhook\'s mapping, the Dashboard\'s names and the API\'s', async (t) => {
  const dashboard = read('stripe-disputes', { id: 'du_1A', 'Charge ID': 'ch_1A', 'Payment Intent ID': 'pi_1A', Reason: 'Fraudulent', Status: 'Needs response', 'Created (UTC)': '2026-11-28 09:14:02', 'Customer Email': 'a@example.com' })
  t.same(dashboard, { event: { id: 'du_1A' }, label: 'fraud', gatewayChargeIds: ['ch_1A', 'pi_1A'], at: '2026-11-28T09:14:02.000Z', note: 'Stripe dispute du_1A: reason fraudulent, status needs_response' })
  const api = read('stripe-disputes', { id: 'dp_1B', charge: 'ch_1B', reason: 'subscription_canceled', status: 'won', created: 1764321242 })
  t.equal(api.label, 'chargeback')
  t.equal(api.at, '2025-11-28T09:14:02.000Z')
  for (const reason of ['fraudulent', 'general', 'duplicate', undefined]) {
    t.equal(read('stripe-disputes', { id: 'du_1', charge_id: 'ch_1', reason }).label, disputeLabel(reason), `the same label as the webhook for ${String(reason)}`)
  }
  t.equal(read('stripe-disputes', { id: 'du_1', charge_id: 'ch_1', reason: 'me@example.com' }).note, 'Stripe dispute du_1', 'a reason that is no word of Stripe\'s is not kept')
  t.equal(refusal(() => read('stripe-disputes', { id: 'ch_1', charge_id: 'ch_1' })), 'invalid_event_id')
})

t.test('omise: the webhook\'s mapping; the kind from the id, checked against an object column', async (t) => {
  const dispute = read('omise', { id: 'dspt_test_5x', charge: 'chrg_test_5x', created_at: '2026-11-28T09:14:02Z', status: 'open', reason_code: 'goods_or_services_not_provided' })
  t.same(dispute, { event: { id: 'dspt_test_5x' }, label: OBJECT_OUTCOMES.dispute, gatewayChargeIds: ['chrg_test_5x'], at: '2026-11-28T09:14:02.000Z', note: 'Omise dispute dspt_test_5x: reason goods_or_services_not_provided, status open' })
  t.equal(read('omise', { id: 'rfnd_test_5y', 'Charge ID': 'chrg_test_5y', Type: 'Refund' }).label, OBJECT_OUTCOMES.refund)
  t.equal(read('omise', { id: 'rfnd_test_5y', charge: 'chrg_test_5y', 'metadata.riskgate_charge_id': 'order_9' }).chargeId, 'order_9')
  t.equal(refusal(() => read('omise', { id: 'rfnd_test_5y', object: 'dispute', charge: 'chrg_1' })), 'unknown_kind')
})

t.test('generic: labels, references, the event', async (t) => {
  const id = '0f8fad5b-d9cb-869f-a165-70867728950e'
  t.same(read('generic', { decision_id: id.toUpperCase(), outcome: 'CHARGEBACK', event_id: 'e-1' }), { event: { id: 'e-1' }, label: 'chargeback', gatewayChargeIds: [], decisionId: id })
  const a = read('generic', { charge_id: 'o1', outcome: 'fraud', note: 'x' })
  const b = read('generic', { charge_id: 'o1', outcome: 'fraud', note: 'x', unrelated: 'y' })
  t.same(a.event, b.event, 'columns the format does not read do not make another event')
  t.notSame(a.event, read('generic', { charge_id: 'o1', outcome: 'fraud', note: 'z' }).event)
  t.equal(refusal(() => read('generic', { charge_id: 'o1', outcome: 'review_rejected' })), 'outcome_not_importable')
  t.equal(refusal(() => read('generic', { charge_id: 'o1' })), 'invalid_outcome')
})
