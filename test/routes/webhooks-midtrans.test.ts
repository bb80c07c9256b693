import t from 'tap'
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { analystAuth, buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { eventually } from '../helpers/eventually.js'

const SERVER_KEY = 'SB-Mid-server-riskgateRouteTestKey01'
const OLD_SERVER_KEY = 'SB-Mid-server-riskgateRouteTestKey00'
const serverKeys = [SERVER_KEY, OLD_SERVER_KEY]

/** Signs exactly as Midtrans documents: SHA512(order_id + status_code + gross_amount + ServerKey), hex. */
function sign (n: { order_id: string, status_code: string, gross_amount: string }, serverKey = SERVER_KEY): string {
  return createHash('sha512').update(n.order_id + n.status_code + n.gross_amount + serverKey).digest('hex')
}

/** every signature sent, to prove none is logged */
const sent: string[] = []

type Notification = Record<string, unknown> & { order_id: string, status_code: string, gross_amount: string, transaction_id: string }

async function deliver (app: FastifyInstance, notification: Notification, serverKey = SERVER_KEY) {
  const signed = { ...notification, signature_key: notification.signature_key ?? sign(notification, serverKey) }
  sent.push(String(signed.signature_key))
  return await app.inject({ method: 'POST', url: '/v1/webhooks/midtrans', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(signed) })
}

let seq = 0
const transactionId = (): string => `${process.pid.toString(16).padStart(8, '0')}-0000-4000-8000-${String(++seq).padStart(12, '0')}`

/** the fields of Midtrans' sample card notifications (Core API / Snap, credit_card) */
function cardNotification (orderId: string, status: string, extra: Record<string, unknown> = {}): Notification {
  return {
    transaction_time: '2026-11-21 17:04:12',
    transaction_status: status,
    transaction_id: transactionId(),
    status_message: 'midtrans payment notification',
    status_code: '200',
    payment_type: 'credit_card',
    order_id: orderId,
    merchant_id: 'G000000000',
    masked_card: '48111111-1114',
    gross_amount: '105000.00',
    fraud_status: 'accept',
    eci: '05',
    currency: 'IDR',
    channel_response_message: 'Approved',
    channel_response_code: '00',
    card_type: 'credit',
    bank: 'bni',
    approval_code: '1763719452000',
    ...extra
  }
}

/** the fields of Midtrans' sample bank transfer (virtual account) settlement */
function vaSettlement (orderId: string, extra: Record<string, unknown> = {}): Notification {
  return {
    va_numbers: [{ va_number: '12345678901', bank: 'bca' }],
    transaction_time: '2026-11-21 17:00:00',
    transaction_status: 'settlement',
    transaction_id: transactionId(),
    status_message: 'midtrans payment notification',
    status_code: '200',
    settlement_time: '2026-11-21 17:05:31',
    payment_type: 'bank_transfer',
    payment_amounts: [],
    order_id: orderId,
    merchant_id: 'G000000000',
    gross_amount: '105000.00',
    fraud_status: 'accept',
    currency: 'IDR',
    ...extra
  }
}

/** a refund or chargeback notification of a settled card transaction: same transaction id, new status */
function refundOf (settled: Notification, status: 'refund' | 'partial_refund' | 'chargeback' | 'partial_chargeback', amount = settled.gross_amount): Notification {
  return {
    ...settled,
    transaction_status: status,
    refund_amount: amount,
    refunds: [{ refund_chargeback_id: seq, refund_amount: amount, created_at: '2026-11-22 09:00:00', reason: 'customer request', refund_key: `rk-${seq}`, refund_method: 'offline' }]
  }
}

async function scored (app: FastifyInstance, extra: Record<string, unknown> = {}): Promise<{ decision_id: string, charge_id: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge({ currency: 'IDR', ...extra })) })
  const body = res.json()
  await app.outbox.flush()
  return body
}

async function decision (app: FastifyInstance, id: string): Promise<DecisionRecord> {
  await app.outbox.flush()
  return (await app.inject({ method: 'GET', url: `/v1/decisions/${id}`, headers: analystAuth })).json()
}

const orderId = (): string => `ord-${process.pid}-${++seq}`

t.test('capture + accept marks the decision legit (source midtrans); a chargeback replaces it; a late settlement does not', async (t) => {
  const { app, logs } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: orderId() })
  const capture = cardNotification(chargeId, 'capture')
  const res = await deliver(app, capture)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { received: true, duplicate: false })
  const labelled = await decision(app, decisionId)
  t.equal(labelled.outcome?.label, 'legit')
  t.equal(labelled.outcome?.source, 'midtrans')
  t.equal(labelled.outcome?.event_id, `${capture.transaction_id}:capture:200`)

  t.equal((await deliver(app, refundOf(capture, 'chargeback'))).statusCode, 200)
  t.equal((await decision(app, decisionId)).outcome?.label, 'chargeback')
  const settled = { ...capture, transaction_status: 'settlement' }
  t.same((await deliver(app, settled)).json(), { received: true, duplicate: false })
  t.equal((await decision(app, decisionId)).outcome?.label, 'chargeback', 'a legit never replaces a chargeback')
  t.same(app.midtransWebhooks.stats(), { applied: 2, kept: 1, unmatched: 0, ignored: 0, failed: 0 })

  const all = logs.join('')
  t.ok(all.includes('midtrans notification received'))
  t.notOk(all.includes(SERVER_KEY), 'the server key is never logged')
  t.notOk(sent.some((signature) => all.includes(signature)), 'no signature is logged')
})

t.test('settlement by bank transfer; deny is the gateway\'s verdict gateway_denied; refund and partial_refund; found through metadata too', async (t) => {
  const { app } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const viaOrder = await scored(app, { charge_id: orderId() })
  await deliver(app, vaSettlement(viaOrder.charge_id))
  t.equal((await decision(app, viaOrder.decision_id)).outcome?.label, 'legit')

  const denied = await scored(app, { charge_id: orderId() })
  await deliver(app, cardNotification(denied.charge_id, 'deny', {
    status_code: '202', fraud_status: 'deny', status_message: 'Deny by Bank [BNI] with code [N] and message [Denied by FDS]', channel_response_message: 'Denied', channel_response_code: '05'
  }))
  t.equal((await decision(app, denied.decision_id)).outcome?.label, 'gateway_denied')
  const search = await app.inject({ method: 'GET', url: '/v1/decisions?outcome=gateway_denied', headers: analystAuth })
  t.same(search.json<{ decisions: Array<{ decision_id: string }> }>().decisions.map((r) => r.decision_id), [denied.decision_id], 'searchable by its label')

  // riskgate's ids in the transaction's metadata: the order id is the merchant's own
  const byDecisionId = await scored(app)
  const settled = cardNotification(orderId(), 'capture', { metadata: { riskgate_decision_id: byDecisionId.decision_id } })
  await deliver(app, settled)
  await deliver(app, refundOf(settled, 'refund'))
  t.equal((await decision(app, byDecisionId.decision_id)).outcome?.label, 'refund')

  const byChargeId = await scored(app)
  const partial = cardNotification(orderId(), 'capture', { metadata: { riskgate_charge_id: byChargeId.charge_id } })
  await deliver(app, partial)
  // a later notification without metadata finds it by the order id, linked by the first
  const { metadata: _metadata, ...withoutMetadata } = partial
  await deliver(app, refundOf(withoutMetadata as Notification, 'partial_refund', '5000.00'))
  t.equal((await decision(app, byChargeId.decision_id)).outcome?.label, 'refund')
  const history = (await decision(app, byChargeId.decision_id)).outcomes?.map((o) => o.label)
  t.same(history, ['legit', 'refund'])
  t.same(app.midtransWebhooks.stats(), { applied: 6, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
})

t.test('expire, pending, cancel, failure and an unknown status are acknowledged and ignored', async (t) => {
  const { app } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: orderId() })
  const pending = vaSettlement(chargeId, { transaction_status: 'pending', status_code: '201' })
  for (const notification of [
    pending,
    { ...pending, transaction_status: 'expire', status_code: '407', status_message: 'Success, transaction is found' },
    cardNotification(chargeId, 'cancel'),
    cardNotification(chargeId, 'failure', { status_code: '202' }),
    cardNotification(chargeId, 'capture', { fraud_status: 'challenge' }),
    cardNotification(chargeId, 'something_new')
  ]) {
    const res = await deliver(app, notification)
    t.equal(res.statusCode, 200, String(notification.transaction_status))
    t.same(res.json(), { received: true, duplicate: false })
  }
  await app.outbox.flush()
  t.same(app.midtransWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 6, failed: 0 })
  t.equal((await decision(app, decisionId)).outcome, undefined)
})

t.test('a resent notification is acknowledged and not applied twice', async (t) => {
  const { app } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: orderId() })
  const refund = refundOf(cardNotification(chargeId, 'capture'), 'refund')
  t.same((await deliver(app, refund)).json(), { received: true, duplicate: false })
  await app.outbox.flush()
  // an analyst corrects it; Midtrans resending the refund notification must not undo that
  await app.inject({ method: 'POST', url: `/v1/decisions/${decisionId}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'legit' }) })
  const resend = await deliver(app, { ...refund, transaction_time: '2026-11-22 09:30:00' })
  t.equal(resend.statusCode, 200, 'acknowledged, so Midtrans stops retrying')
  t.same(resend.json(), { received: true, duplicate: true })
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
  t.equal(app.midtransWebhooks.stats().applied, 1)
})

t.test('a notification about an order the log does not know yet is held and applied once the decision is recorded', async (t) => {
  const { app } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const early = orderId()
  const chargeback = refundOf(cardNotification(early, 'capture'), 'chargeback')
  t.same((await deliver(app, chargeback)).json(), { received: true, duplicate: false }, 'acknowledged at once')
  t.same((await deliver(app, cardNotification(early, 'expire', { status_code: '407' }))).json(), { received: true, duplicate: false })
  // the expire was queued after the chargeback: once it is processed, the chargeback has been tried
  await eventually(() => app.midtransWebhooks.stats().ignored === 1 ? true : undefined)
  t.equal(app.outbox.stats()['midtrans-notification']?.queued, 1, 'held in the outbox')
  const late = await scored(app, { charge_id: early })
  t.equal((await decision(app, late.decision_id)).outcome?.label, 'chargeback')
  t.same(app.midtransWebhooks.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 1, failed: 0 })
  t.equal(app.outbox.depth(), 0)
})

t.test('refusals: wrong signature or key 401, tampered fields 401, rotation, bodies that are not notifications', async (t) => {
  const { app, logs } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const notification = cardNotification(orderId(), 'expire', { status_code: '407' })

  const wrong = await deliver(app, notification, 'SB-Mid-server-notTheKey')
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().error.code, 'webhook_signature_invalid')
  const tampered = await deliver(app, { ...notification, gross_amount: '1.00', signature_key: sign(notification) })
  t.equal(tampered.statusCode, 401, 'the amount is signed')
  const otherOrder = await deliver(app, { ...notification, order_id: orderId(), signature_key: sign(notification) })
  t.equal(otherOrder.statusCode, 401, 'the order id is signed')
  const { signature_key: _none, ...unsigned } = { ...notification, signature_key: undefined }
  const missing = await app.inject({ method: 'POST', url: '/v1/webhooks/midtrans', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(unsigned) })
  t.equal(missing.statusCode, 401, 'an API key is no substitute for the signature')

  const rotated = await deliver(app, notification, OLD_SERVER_KEY)
  t.equal(rotated.statusCode, 200, 'the previous server key still works during a rotation')
  await app.outbox.flush()
  t.same(app.midtransWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 1, failed: 0 }, 'only the signed one was processed')

  const notJson = await app.inject({ method: 'POST', url: '/v1/webhooks/midtrans', headers: { 'content-type': 'application/json' }, payload: 'not json' })
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.json().error.code, 'invalid_json')
  const { transaction_id: _id, ...noTransaction } = notification
  const signedButNot = await deliver(app, noTransaction as Notification)
  t.equal(signedButNot.statusCode, 400)
  t.equal(signedButNot.json().error.code, 'validation_failed')
  const text = await app.inject({ method: 'POST', url: '/v1/webhooks/midtrans', headers: { 'content-type': 'text/plain' }, payload: JSON.stringify(notification) })
  t.equal(text.statusCode, 415)
  for (const res of [wrong, tampered, missing]) t.notOk(res.body.includes(SERVER_KEY) || sent.some((s) => res.body.includes(s)), 'neither key nor signature is echoed')
  t.ok(logs.join('').includes('midtrans notification refused'))

  // the counters Omise's webhook counts, with gateway="midtrans"
  const families = new Map(parsePrometheusTextFormat((await app.inject({ method: 'GET', url: '/metrics' })).body).map((f) => [f.name, f]))
  const valueOf = (name: string, labels: Record<string, string>): number | undefined => {
    const sample = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    return sample?.value === undefined ? undefined : Number(sample.value)
  }
  t.equal(valueOf('riskgate_webhook_deliveries_total', { gateway: 'midtrans', result: 'refused_signature' }), 4)
  t.equal(valueOf('riskgate_webhook_deliveries_total', { gateway: 'midtrans', result: 'accepted' }), 1)
  t.equal(valueOf('riskgate_webhook_deliveries_total', { gateway: 'midtrans', result: 'refused_body' }), 2)
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'midtrans', result: 'ignored' }), 1)
  t.equal(valueOf('riskgate_webhook_deliveries_total', { gateway: 'omise', result: 'accepted' }), 0, 'Omise\'s counts are still there')
})

t.test('gateway_denied comes only from a gateway: the outcome API refuses it', async (t) => {
  const { app } = await buildTestApp(t, { midtransServerKeys: serverKeys })
  const { decision_id: decisionId } = await scored(app)
  const res = await app.inject({ method: 'POST', url: `/v1/decisions/${decisionId}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'gateway_denied' }) })
  t.equal(res.statusCode, 400)
})

t.test('without server keys the route answers 503 webhook_not_configured', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await deliver(app, cardNotification(orderId(), 'settlement'))
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'webhook_not_configured')
})
