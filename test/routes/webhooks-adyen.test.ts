import t from 'tap'
import { createHmac } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { analystAuth, buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { eventually } from '../helpers/eventually.js'

const HMAC_KEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90'
/** the previous key of a rotation: Adyen's documented sample key */
const OLD_HMAC_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056'
const BASIC_AUTH = 'ws_adyen_notifier:Pw-for-the-riskgate-route-0123'
const adyenWebhook = { hmacKeys: [HMAC_KEY, OLD_HMAC_KEY].map((k) => Buffer.from(k, 'hex')), basicAuth: BASIC_AUTH }
const basic = (credentials = BASIC_AUTH): string => `Basic ${Buffer.from(credentials).toString('base64')}`

type Item = Record<string, unknown> & { pspReference: string, merchantReference: string, eventCode: string, success: string, amount: { value: number, currency: string } }

/**
 * Signs exactly as Adyen documents: HMAC-SHA256, keyed with the hex-decoded HMAC key, of
 * pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success
 * (an absent field empty), base64, in additionalData.hmacSignature.
 */
function sign (item: Item, key = HMAC_KEY): Item {
  const payload = [item.pspReference, item.originalReference ?? '', item.merchantAccountCode, item.merchantReference,
    item.amount.value, item.amount.currency, item.eventCode, item.success].join(':')
  const hmacSignature = createHmac('sha256', Buffer.from(key, 'hex')).update(payload).digest('base64')
  sent.push(hmacSignature)
  return { ...item, additionalData: { ...(item.additionalData as Record<string, unknown> | undefined), hmacSignature } }
}

/** every signature sent, to prove none is logged */
const sent: string[] = []

async function deliver (app: FastifyInstance, items: Item[], headers: Record<string, string> = { authorization: basic() }) {
  return await app.inject({
    method: 'POST',
    url: '/v1/webhooks/adyen',
    headers: { 'content-type': 'application/json', 'user-agent': 'Adyen HttpClient 1.0', ...headers },
    payload: JSON.stringify({ live: 'false', notificationItems: items.map((item) => ({ NotificationRequestItem: item })) })
  })
}

let seq = 0
const psp = (): string => `${(process.pid % 10000).toString().padStart(4, '0')}${String(++seq).padStart(12, '0')}`

/** Adyen's sample AUTHORISATION item (its Webhooks API reference), for this payment */
function authorisation (merchantReference: string, pspReference = psp(), extra: Record<string, unknown> = {}): Item {
  return {
    additionalData: { 'tokenization.shopperReference': 'YOUR_SHOPPER_REFERENCE', 'tokenization.storedPaymentMethodId': 'M5N7TQ4TG5PFWR50', 'tokenization.store.operationType': 'created' },
    amount: { currency: 'THB', value: 125000 },
    eventCode: 'AUTHORISATION',
    eventDate: '2026-11-21T10:00:00+07:00',
    merchantAccountCode: 'RiskgateTestECOM',
    merchantReference,
    paymentMethod: 'visa',
    operations: ['CANCEL', 'CAPTURE', 'REFUND'],
    pspReference,
    reason: '074738:1111:03/2030',
    success: 'true',
    ...extra
  }
}

/** Adyen's sample CHARGEBACK item: the dispute's own pspReference, the payment's as originalReference */
function chargeback (payment: Item, reasonCode = ' 4853', schemeCode = 'mc'): Item {
  return {
    additionalData: {
      chargebackReasonCode: reasonCode,
      chargebackSchemeCode: schemeCode,
      defensePeriodEndsAt: '2026-12-21T03:03:07+02:00',
      defendable: 'true',
      grossCurrency: 'THB',
      grossValue: '125000',
      modificationMerchantReferences: '',
      paymentMethodVariant: schemeCode
    },
    amount: { currency: 'THB', value: 125000 },
    eventCode: 'CHARGEBACK',
    eventDate: '2026-12-01T01:00:00+01:00',
    merchantAccountCode: 'RiskgateTestECOM',
    merchantReference: payment.merchantReference,
    originalReference: payment.pspReference,
    paymentMethod: schemeCode,
    pspReference: psp(),
    reason: 'Payment.TxId=300000000524534724 dispute',
    success: 'true'
  }
}

/** Adyen's sample NOTIFICATION_OF_FRAUD and REFUND items (a modification names the payment as originalReference) */
function modification (eventCode: string, payment: Item, extra: Record<string, unknown> = {}): Item {
  return {
    amount: { currency: 'THB', value: 125000 },
    eventCode,
    eventDate: '2026-11-25T01:00:00+01:00',
    merchantAccountCode: 'RiskgateTestECOM',
    merchantReference: payment.merchantReference,
    originalReference: payment.pspReference,
    paymentMethod: 'visa',
    pspReference: psp(),
    reason: '',
    success: 'true',
    ...extra
  }
}

async function scored (app: FastifyInstance, extra: Record<string, unknown> = {}): Promise<{ decision_id: string, charge_id: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge(extra)) })
  const body = res.json()
  await app.outbox.flush()
  return body
}

async function decision (app: FastifyInstance, id: string): Promise<DecisionRecord> {
  await app.outbox.flush()
  return (await app.inject({ method: 'GET', url: `/v1/decisions/${id}`, headers: analystAuth })).json()
}

const order = (): string => `order-${process.pid}-${++seq}`

t.test('AUTHORISATION makes the decision legit (source adyen), answered [accepted]; a chargeback delivered before it is not overwritten', async (t) => {
  const { app, logs } = await buildTestApp(t, { adyenWebhook })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: order() })
  const auth = authorisation(chargeId)
  const res = await deliver(app, [sign(auth)])
  t.equal(res.statusCode, 200)
  t.equal(res.body, '[accepted]', 'the body Adyen expects')
  t.match(res.headers['content-type'], /^text\/plain/)
  const legit = await decision(app, decisionId)
  t.equal(legit.outcome?.label, 'legit')
  t.equal(legit.outcome?.source, 'adyen')
  t.equal(legit.outcome?.event_id, `${auth.pspReference}:AUTHORISATION:true`)

  // Adyen does not promise order: the chargeback of another payment arrives before its authorisation
  const other = await scored(app, { charge_id: order() })
  const otherAuth = authorisation(other.charge_id)
  t.equal((await deliver(app, [sign(chargeback(otherAuth))])).body, '[accepted]')
  t.equal((await decision(app, other.decision_id)).outcome?.label, 'chargeback', 'Mastercard 4853: a chargeback')
  t.equal((await deliver(app, [sign(otherAuth)])).body, '[accepted]')
  t.equal((await decision(app, other.decision_id)).outcome?.label, 'chargeback', 'a provisional legit never replaces a chargeback')
  t.same((await decision(app, other.decision_id)).outcomes?.map((o) => o.label), ['chargeback', 'legit'], 'the legit is in the history, the chargeback stays the outcome')
  t.same(app.adyenWebhooks.stats(), { applied: 2, kept: 1, unmatched: 0, ignored: 0, failed: 0 })

  const all = logs.join('')
  t.ok(all.includes('adyen notification received'))
  t.notOk(all.includes(HMAC_KEY) || all.includes(HMAC_KEY.toLowerCase()), 'the HMAC key is never logged')
  t.notOk(all.includes(BASIC_AUTH.split(':')[1] as string) || all.includes(basic().slice(6)), 'nor the basic auth')
  t.notOk(sent.some((signature) => all.includes(signature)), 'no signature is logged')
})

t.test('a fraud chargeback reason, a notification of fraud and a refund; found through metadata, then by the linked pspReference', async (t) => {
  const { app } = await buildTestApp(t, { adyenWebhook })
  const visaFraud = await scored(app, { charge_id: order() })
  await deliver(app, [sign(chargeback(authorisation(visaFraud.charge_id), '10.4', 'visa'))])
  t.equal((await decision(app, visaFraud.decision_id)).outcome?.label, 'fraud', 'Visa 10.4 (card-absent fraud): fraud')

  const mcFraud = await scored(app, { charge_id: order() })
  await deliver(app, [sign(chargeback(authorisation(mcFraud.charge_id), '4837', 'mc'))])
  t.equal((await decision(app, mcFraud.decision_id)).outcome?.label, 'fraud', 'Mastercard 4837 (no cardholder authorization): fraud')

  const reported = await scored(app, { charge_id: order() })
  await deliver(app, [sign(modification('NOTIFICATION_OF_FRAUD', authorisation(reported.charge_id), {
    additionalData: { nofReasonCode: '6', nofSchemeCode: 'visa' }, reason: 'Fraudulent Use of Account Number'
  }))])
  t.equal((await decision(app, reported.decision_id)).outcome?.label, 'fraud')

  // the merchant's order reference is not riskgate's charge_id: riskgate's ids ride in the payment's metadata
  const withMetadata = await scored(app)
  const payment = authorisation(order(), psp(), { additionalData: { 'metadata.riskgate_decision_id': withMetadata.decision_id, 'metadata.riskgate_charge_id': withMetadata.charge_id } })
  await deliver(app, [sign(payment)])
  t.equal((await decision(app, withMetadata.decision_id)).outcome?.label, 'legit')
  // the refund has its own merchantReference and no metadata: the payment's pspReference finds it
  await deliver(app, [sign(modification('REFUND', payment, { merchantReference: 'refund-of-that-order' }))])
  t.equal((await decision(app, withMetadata.decision_id)).outcome?.label, 'refund')
  t.same((await decision(app, withMetadata.decision_id)).outcomes?.map((o) => o.label), ['legit', 'refund'])
  t.same(app.adyenWebhooks.stats(), { applied: 5, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
})

t.test('the same item delivered again is acknowledged [accepted] and not applied twice', async (t) => {
  const { app } = await buildTestApp(t, { adyenWebhook })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: order() })
  const refund = sign(modification('REFUND', authorisation(chargeId)))
  t.equal((await deliver(app, [refund])).body, '[accepted]')
  await app.outbox.flush()
  // an analyst corrects it; Adyen retrying the refund item (it did not see the answer) must not undo that
  await app.inject({ method: 'POST', url: `/v1/decisions/${decisionId}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'legit' }) })
  const retry = await deliver(app, [{ ...refund, eventDate: '2026-11-25T01:05:00+01:00' }])
  t.equal(retry.statusCode, 200)
  t.equal(retry.body, '[accepted]', 'acknowledged, so Adyen stops retrying')
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
  t.equal(app.adyenWebhooks.stats().applied, 1)
  const failed = sign({ ...modification('REFUND', authorisation(chargeId)), pspReference: refund.pspReference, success: 'false', reason: 'Insufficient balance on payment' })
  t.equal((await deliver(app, [failed])).body, '[accepted]', 'the same pspReference and event code with another success: another event')
  await app.outbox.flush()
  t.same(app.adyenWebhooks.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 1, failed: 0 })
})

t.test('event codes without an outcome (and ones riskgate does not know) are acknowledged and ignored', async (t) => {
  const { app } = await buildTestApp(t, { adyenWebhook })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: order() })
  const payment = authorisation(chargeId)
  for (const item of [
    { ...payment, success: 'false', reason: 'Refused' },
    modification('CAPTURE', payment),
    modification('CANCELLATION', payment),
    modification('NOTIFICATION_OF_CHARGEBACK', payment),
    modification('REQUEST_FOR_INFORMATION', payment),
    modification('REFUND', payment, { success: 'false', reason: 'Transaction hasn\'t been captured, refund not possible' }),
    modification('SOMETHING_NEW_FROM_ADYEN', payment)
  ]) {
    const res = await deliver(app, [sign(item)])
    t.equal(res.body, '[accepted]', `${item.eventCode} ${item.success}`)
  }
  await app.outbox.flush()
  t.same(app.adyenWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 7, failed: 0 })
  t.equal((await decision(app, decisionId)).outcome, undefined)
})

t.test('an item about a payment the log does not know yet is held, and applied once the decision is recorded', async (t) => {
  const { app } = await buildTestApp(t, { adyenWebhook })
  const early = order()
  t.equal((await deliver(app, [sign(chargeback(authorisation(early), '10.4', 'visa'))])).body, '[accepted]', 'acknowledged at once')
  t.equal((await deliver(app, [sign(modification('CAPTURE', authorisation(early)))])).body, '[accepted]')
  // the capture was queued after the chargeback: once it is processed, the chargeback has been tried
  await eventually(() => app.adyenWebhooks.stats().ignored === 1 ? true : undefined)
  t.equal(app.outbox.stats()['adyen-notification']?.queued, 1, 'held in the outbox')
  const late = await scored(app, { charge_id: early })
  t.equal((await decision(app, late.decision_id)).outcome?.label, 'fraud')
  t.same(app.adyenWebhooks.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 1, failed: 0 })
  t.equal(app.outbox.depth(), 0)
})

t.test('refusals: basic auth missing or wrong 401, a wrong signature or key 401 (the whole delivery), key rotation, bodies that are not notifications', async (t) => {
  const { app, logs } = await buildTestApp(t, { adyenWebhook })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: order() })
  const item = authorisation(chargeId)

  const noAuth = await deliver(app, [sign(item)], {})
  t.equal(noAuth.statusCode, 401)
  t.equal(noAuth.json().error.code, 'webhook_auth_invalid')
  t.equal(noAuth.headers['www-authenticate'], 'Basic realm="riskgate"')
  const wrongAuth = await deliver(app, [sign(item)], { authorization: basic('ws_adyen_notifier:not-the-password') })
  t.equal(wrongAuth.statusCode, 401)
  t.equal(wrongAuth.json().error.code, 'webhook_auth_invalid')
  const apiKey = await deliver(app, [sign(item)], scoreAuth)
  t.equal(apiKey.statusCode, 401, 'an API key is no substitute')

  const wrongKey = await deliver(app, [sign(item, 'FF'.repeat(32))])
  t.equal(wrongKey.statusCode, 401)
  t.equal(wrongKey.json().error.code, 'webhook_signature_invalid')
  const tampered = await deliver(app, [{ ...sign(item), amount: { currency: 'THB', value: 1 } }])
  t.equal(tampered.statusCode, 401, 'the amount is signed')
  const { additionalData: _none, ...unsigned } = item
  const missing = await deliver(app, [unsigned as Item])
  t.equal(missing.statusCode, 401, 'an unsigned item')
  const oneBad = await deliver(app, [sign(modification('REFUND', item)), sign(chargeback(item), 'FF'.repeat(32))])
  t.equal(oneBad.statusCode, 401, 'one item wrongly signed: the delivery is refused whole')
  await app.outbox.flush()
  t.equal((await decision(app, decisionId)).outcome, undefined, 'nothing of a refused delivery was applied')

  const rotated = await deliver(app, [sign(item, OLD_HMAC_KEY)])
  t.equal(rotated.body, '[accepted]', 'the previous key still works during a rotation')
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
  t.same(app.adyenWebhooks.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 0, failed: 0 }, 'only the signed one was processed')

  const notJson = await app.inject({ method: 'POST', url: '/v1/webhooks/adyen', headers: { 'content-type': 'application/json', authorization: basic() }, payload: '[accepted' })
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.json().error.code, 'invalid_json')
  const notEnvelope = await app.inject({ method: 'POST', url: '/v1/webhooks/adyen', headers: { 'content-type': 'application/json', authorization: basic() }, payload: JSON.stringify(sign(item)) })
  t.equal(notEnvelope.statusCode, 400)
  t.equal(notEnvelope.json().error.code, 'validation_failed')
  const badItem = await deliver(app, [sign({ ...item, pspReference: 'not a psp reference' })])
  t.equal(badItem.statusCode, 400, 'signed, but not an item riskgate can apply')
  t.equal(badItem.json().error.code, 'validation_failed')
  const text = await app.inject({ method: 'POST', url: '/v1/webhooks/adyen', headers: { 'content-type': 'text/plain', authorization: basic() }, payload: '{}' })
  t.equal(text.statusCode, 415)
  for (const res of [noAuth, wrongAuth, wrongKey, tampered, missing, notJson, badItem]) {
    t.notOk(res.body.includes(HMAC_KEY) || res.body.includes(BASIC_AUTH.split(':')[1] as string) || sent.some((s) => res.body.includes(s)), 'no key, password or signature is echoed')
  }
  t.ok(logs.join('').includes('adyen notification refused'))

  const families = new Map(parsePrometheusTextFormat((await app.inject({ method: 'GET', url: '/metrics' })).body).map((f) => [f.name, f]))
  const valueOf = (name: string, labels: Record<string, string>): number | undefined => {
    const sample = families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    return sample?.value === undefined ? undefined : Number(sample.value)
  }
  const deliveries = 'riskgate_webhook_deliveries_total'
  t.equal(valueOf(deliveries, { gateway: 'adyen', result: 'refused_auth' }), 3)
  t.equal(valueOf(deliveries, { gateway: 'adyen', result: 'refused_signature' }), 4)
  t.equal(valueOf(deliveries, { gateway: 'adyen', result: 'refused_body' }), 3)
  t.equal(valueOf(deliveries, { gateway: 'adyen', result: 'accepted' }), 1)
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'adyen', result: 'applied' }), 1)
  t.equal(valueOf(deliveries, { gateway: 'stripe', result: 'accepted' }), 0, 'the other gateways\' counts stay beside them')
})

t.test('without basic auth configured, the HMAC signature alone is checked', async (t) => {
  const { app } = await buildTestApp(t, { adyenWebhook: { hmacKeys: adyenWebhook.hmacKeys } })
  const { decision_id: decisionId, charge_id: chargeId } = await scored(app, { charge_id: order() })
  t.equal((await deliver(app, [sign(authorisation(chargeId))], {})).body, '[accepted]')
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
})

t.test('without HMAC keys the route answers 503 webhook_not_configured', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await deliver(app, [sign(authorisation(order()))])
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'webhook_not_configured')
})
