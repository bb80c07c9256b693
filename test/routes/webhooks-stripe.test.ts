import t from 'tap'
import { createHmac } from 'node:crypto'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { FastifyInstance } from 'fastify'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { analystAuth, buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { eventually } from '../helpers/eventually.js'

const SECRET = 'whsec_test_riskgate0123456789abcdefABCDEF'
const OLD_SECRET = 'whsec_test_previousSecretOfTheRotation01'
const secrets = [SECRET, OLD_SECRET]

const now = (): number => Math.floor(Date.now() / 1000)

/** Signs exactly as Stripe documents: v1 = hex HMAC-SHA256 of "<t>.<raw body>", keyed with the endpoint secret as written. */
function sign (body: string, timestamp: number, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
}
const header = (body: string, timestamp = now(), secret = SECRET): string => `t=${timestamp},v1=${sign(body, timestamp, secret)}`

/** every signature header sent, to prove none is logged */
const sent: string[] = []

async function deliver (app: FastifyInstance, body: string, signature = header(body)) {
  sent.push(signature)
  return await app.inject({
    method: 'POST',
    url: '/v1/webhooks/stripe',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
    payload: body
  })
}

let seq = 0
/** an event as Stripe sends it (its documented envelope), pretty-printed: the signature covers these exact bytes */
function stripeEvent (type: string, object: Record<string, unknown>): string {
  seq++
  return JSON.stringify({
    id: `evt_test_${process.pid}_${seq}`,
    object: 'event',
    api_version: '2024-06-20',
    created: now(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type
  }, null, 2)
}

/** a charge object shaped like Stripe's documented sample */
function stripeCharge (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    object: 'charge',
    amount: 125000,
    amount_captured: 125000,
    amount_refunded: 0,
    balance_transaction: 'txn_test_1',
    billing_details: { address: { city: null, country: 'TH', line1: null, line2: null, postal_code: null, state: null }, email: null, name: null, phone: null },
    captured: true,
    created: now(),
    currency: 'thb',
    customer: null,
    description: null,
    disputed: false,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
    paid: true,
    payment_intent: `pi_${id.slice(3)}`,
    payment_method: 'pm_test_1',
    payment_method_details: { card: { brand: 'visa', country: 'TH', exp_month: 12, exp_year: 2030, fingerprint: 'fp_test', funding: 'credit', last4: '4242' }, type: 'card' },
    refunded: false,
    status: 'succeeded',
    ...extra
  }
}

function stripeDispute (chargeId: string, reason: string): Record<string, unknown> {
  return {
    id: `du_test_${process.pid}_${seq}`,
    object: 'dispute',
    amount: 125000,
    balance_transactions: [],
    charge: chargeId,
    created: now(),
    currency: 'thb',
    evidence_details: { due_by: now() + 7 * 86400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: `pi_${chargeId.slice(3)}`,
    reason,
    status: 'needs_response'
  }
}

function earlyFraudWarning (chargeId: string): Record<string, unknown> {
  return {
    id: `issfr_test_${process.pid}_${seq}`,
    object: 'radar.early_fraud_warning',
    actionable: true,
    charge: chargeId,
    created: now(),
    fraud_type: 'made_with_stolen_card',
    livemode: false,
    payment_intent: `pi_${chargeId.slice(3)}`
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

t.test('charge.succeeded with metadata marks the decision legit and links the ch_ id; a fraudulent dispute makes it fraud; a late legit keeps it', async (t) => {
  const { app, logs } = await buildTestApp(t, { stripeWebhookSecrets: secrets })
  const { decision_id: decisionId } = await scored(app)
  const chargeId = `ch_test_${process.pid}_a`
  const succeeded = stripeEvent('charge.succeeded', stripeCharge(chargeId, { metadata: { riskgate_decision_id: decisionId } }))
  const res = await deliver(app, succeeded)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { received: true, duplicate: false })
  const legit = await decision(app, decisionId)
  t.equal(legit.outcome?.label, 'legit')
  t.equal(legit.outcome?.source, 'stripe')
  t.equal(legit.outcome?.event_id, JSON.parse(succeeded).id)

  // the dispute carries only the charge id: linked to the decision by charge.succeeded
  t.equal((await deliver(app, stripeEvent('charge.dispute.created', stripeDispute(chargeId, 'fraudulent')))).statusCode, 200)
  t.equal((await decision(app, decisionId)).outcome?.label, 'fraud', 'reason fraudulent: fraud')

  const late = stripeEvent('charge.succeeded', stripeCharge(chargeId, { metadata: { riskgate_decision_id: decisionId } }))
  t.same((await deliver(app, late)).json(), { received: true, duplicate: false })
  t.equal((await decision(app, decisionId)).outcome?.label, 'fraud', 'a provisional legit never replaces a stronger outcome')
  t.same(app.stripeWebhooks.stats(), { applied: 2, kept: 1, unmatched: 0, ignored: 0, failed: 0 })

  const all = logs.join('')
  t.ok(all.includes('stripe webhook received'))
  t.notOk(all.includes(SECRET), 'the secret is never logged')
  t.notOk(sent.some((signature) => all.includes(signature.split('v1=')[1] as string)), 'no signature is logged')
})

t.test('a dispute for another reason is a chargeback; an early fraud warning is fraud; charge.refunded is a refund', async (t) => {
  const { app } = await buildTestApp(t, { stripeWebhookSecrets: secrets })
  const disputed = await scored(app)
  const disputedCharge = `ch_test_${process.pid}_d`
  await deliver(app, stripeEvent('charge.succeeded', stripeCharge(disputedCharge, { metadata: { riskgate_charge_id: disputed.charge_id } })))
  await deliver(app, stripeEvent('charge.dispute.created', stripeDispute(disputedCharge, 'product_not_received')))
  t.equal((await decision(app, disputed.decision_id)).outcome?.label, 'chargeback')

  // the merchant scored with the Stripe charge id as charge_id: no metadata needed
  const warned = await scored(app, { charge_id: `ch_test_${process.pid}_w` })
  await deliver(app, stripeEvent('radar.early_fraud_warning.created', earlyFraudWarning(warned.charge_id)))
  t.equal((await decision(app, warned.decision_id)).outcome?.label, 'fraud')

  const refunded = await scored(app)
  await deliver(app, stripeEvent('charge.refunded', stripeCharge(`ch_test_${process.pid}_r`, { amount_refunded: 125000, refunded: true, metadata: { riskgate_decision_id: refunded.decision_id } })))
  t.equal((await decision(app, refunded.decision_id)).outcome?.label, 'refund')
  t.same(app.stripeWebhooks.stats(), { applied: 4, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
})

t.test('a replayed event id is acknowledged and not applied twice', async (t) => {
  const { app } = await buildTestApp(t, { stripeWebhookSecrets: secrets })
  const { decision_id: decisionId } = await scored(app)
  const refund = stripeEvent('charge.refunded', stripeCharge(`ch_test_${process.pid}_rr`, { refunded: true, metadata: { riskgate_decision_id: decisionId } }))
  t.same((await deliver(app, refund)).json(), { received: true, duplicate: false })
  await app.outbox.flush()
  // an analyst corrects it; a replay of the refund event (freshly signed) must not undo that
  await app.inject({ method: 'POST', url: `/v1/decisions/${decisionId}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'legit' }) })
  const replay = await deliver(app, refund)
  t.equal(replay.statusCode, 200, 'acknowledged, so Stripe stops retrying')
  t.same(replay.json(), { received: true, duplicate: true })
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
  t.equal(app.stripeWebhooks.stats().applied, 1)
})

t.test('other event types are acknowledged and ignored; an event about an unknown charge is held, then applied', async (t) => {
  const { app } = await buildTestApp(t, { stripeWebhookSecrets: secrets })
  const early = `ch_test_${process.pid}_early`
  const dispute = stripeEvent('charge.dispute.created', stripeDispute(early, 'fraudulent'))
  t.same((await deliver(app, dispute)).json(), { received: true, duplicate: false }, 'acknowledged at once')
  const other = await deliver(app, stripeEvent('customer.created', { id: 'cus_test_1', object: 'customer', email: null, metadata: {} }))
  t.same(other.json(), { received: true, duplicate: false }, 'an unknown type: acknowledged')
  // the customer event was queued after the dispute: once it is processed, the dispute has been tried
  await eventually(() => app.stripeWebhooks.stats().ignored === 1 ? true : undefined)
  t.same(app.stripeWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 1, failed: 0 }, 'tried, found nothing, not given up')
  t.equal(app.outbox.stats()['stripe-event']?.queued, 1, 'held in the outbox')

  const late = await scored(app, { charge_id: early })
  t.equal((await decision(app, late.decision_id)).outcome?.label, 'fraud', 'applied once the decision is there')
  t.same(app.stripeWebhooks.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 1, failed: 0 })
  t.equal(app.outbox.depth(), 0)
})

t.test('refusals: wrong signature 401, stale timestamp 400; rotation; counted by gateway', async (t) => {
  const { app, logs } = await buildTestApp(t, { stripeWebhookSecrets: secrets })
  const body = stripeEvent('charge.failed', stripeCharge(`ch_test_${process.pid}_z`, { status: 'failed', paid: false, failure_code: 'card_declined' }))

  const wrong = await deliver(app, body, header(body, now(), 'whsec_test_notTheSecret0123456789abcdef'))
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().error.code, 'webhook_signature_invalid')
  const missing = await app.inject({ method: 'POST', url: '/v1/webhooks/stripe', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: body })
  t.equal(missing.statusCode, 401, 'an API key is no substitute for the signature')
  const tampered = await deliver(app, body.replace('card_declined', 'stolen_card'), header(body))
  t.equal(tampered.statusCode, 401)

  const old = now() - 301
  const stale = await deliver(app, body, header(body, old))
  t.equal(stale.statusCode, 400)
  t.equal(stale.json().error.code, 'webhook_timestamp_stale')

  const rotated = await deliver(app, body, header(body, now(), OLD_SECRET))
  t.equal(rotated.statusCode, 200, 'the previous secret still works during a rotation')
  const at = now()
  const both = await deliver(app, body, `t=${at},v1=${sign(body, at, 'whsec_test_someOtherEndpoint0123456789')},v1=${sign(body, at)}`)
  t.same(both.json(), { received: true, duplicate: true }, 'any of several v1 signatures; the same event id: a duplicate')
  await app.outbox.flush()
  t.same(app.stripeWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 1, failed: 0 }, 'only the signed one was processed, and ignored')

  const bad = await deliver(app, 'not json')
  t.equal(bad.json().error.code, 'invalid_json')
  const notEvent = await deliver(app, JSON.stringify({ hello: 'world' }))
  t.equal(notEvent.json().error.code, 'validation_failed')
  for (const res of [wrong, stale, missing]) t.notOk(res.body.includes(SECRET), 'the secret is not echoed')
  t.ok(logs.join('').includes('stripe webhook refused'))

  const metrics = new Map(parsePrometheusTextFormat((await app.inject({ method: 'GET', url: '/metrics' })).body).map((f) => [f.name, f]))
  const valueOf = (name: string, labels: Record<string, string>): number | undefined => {
    const sample = metrics.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    return sample?.value === undefined ? undefined : Number(sample.value)
  }
  const deliveries = 'riskgate_webhook_deliveries_total'
  t.equal(valueOf(deliveries, { gateway: 'stripe', result: 'refused_signature' }), 3)
  t.equal(valueOf(deliveries, { gateway: 'stripe', result: 'refused_stale' }), 1)
  t.equal(valueOf(deliveries, { gateway: 'stripe', result: 'accepted' }), 1)
  t.equal(valueOf(deliveries, { gateway: 'stripe', result: 'duplicate' }), 1)
  t.equal(valueOf(deliveries, { gateway: 'stripe', result: 'refused_body' }), 2)
  t.equal(valueOf(deliveries, { gateway: 'omise', result: 'accepted' }), 0, 'the Omise counts stay beside them')
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'stripe', result: 'ignored' }), 1)
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'omise', result: 'ignored' }), 0)
})

t.test('without secrets the route answers 503 webhook_not_configured', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await deliver(app, stripeEvent('charge.succeeded', stripeCharge('ch_test_n')))
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'webhook_not_configured')
})
