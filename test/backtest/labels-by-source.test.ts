import t from 'tap'
import { createHash, createHmac } from 'node:crypto'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { runCli } from '../../src/cli/main.js'
import type { BacktestReport } from '../../src/backtest/report.js'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { ANALYST_SECRET, analystAuth, buildTestApp, rootDir } from '../helpers/app.js'
import { score, uniqueCharge } from '../helpers/analyst.js'
import { captureIo } from '../helpers/cli-io.js'

// One history labelled through every outcome source riskgate has, each delivery signed as its
// gateway documents it: the records exported, then backtested, carry those labels.

const HASH_KEY = 'test-hash-key-0123456789abcdef0123456789' // the test app's
const OMISE_SECRET = Buffer.from('riskgate-labels-omise-secret-32b')
const STRIPE_SECRET = 'whsec_test_riskgateLabelsBySource0123456'
const MIDTRANS_KEY = 'SB-Mid-server-riskgateLabelsBySource01'
const ADYEN_KEY = 'B1C2D3E4F5061728394A5B6C7D8E9FA0B1C2D3E4F5061728394A5B6C7D8E9FA0'
const seconds = (): number => Math.floor(Date.now() / 1000)

async function post (app: FastifyInstance, url: string, payload: string, headers: Record<string, string> = {}): Promise<number> {
  return (await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload })).statusCode
}

/** Omise: hex HMAC-SHA256 of `<timestamp>.<raw body>` with the decoded secret */
async function omise (app: FastifyInstance, key: string, data: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify({ object: 'event', id: `evnt_test_${data.id as string}`, livemode: false, key, created_at: new Date().toISOString(), data })
  const ts = seconds()
  return await post(app, '/v1/webhooks/omise', body, {
    'omise-signature-timestamp': String(ts),
    'omise-signature': createHmac('sha256', OMISE_SECRET).update(`${ts}.${body}`).digest('hex')
  })
}

/** Stripe: `t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<raw body>">` with the endpoint secret */
async function stripe (app: FastifyInstance, type: string, object: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify({ id: `evt_test_${object.id as string}`, object: 'event', api_version: '2024-06-20', created: seconds(), data: { object }, livemode: false, type })
  const ts = seconds()
  return await post(app, '/v1/webhooks/stripe', body, { 'stripe-signature': `t=${ts},v1=${createHmac('sha256', STRIPE_SECRET).update(`${ts}.${body}`).digest('hex')}` })
}

/** Midtrans: signature_key = hex SHA-512 of order_id + status_code + gross_amount + server key */
async function midtrans (app: FastifyInstance, orderId: string, status: string): Promise<number> {
  const n = { order_id: orderId, status_code: '200', gross_amount: '105000.00', transaction_id: `tx-${orderId}`, transaction_status: status, fraud_status: 'accept', payment_type: 'credit_card', transaction_time: '2026-12-01 10:00:00' }
  const signature = createHash('sha512').update(n.order_id + n.status_code + n.gross_amount + MIDTRANS_KEY).digest('hex')
  return await post(app, '/v1/webhooks/midtrans', JSON.stringify({ ...n, signature_key: signature }))
}

/** Adyen: base64 HMAC-SHA256 (hex-decoded key) of the item's fields joined by `:` */
async function adyen (app: FastifyInstance, merchantReference: string, eventCode: string): Promise<number> {
  const item = { pspReference: `${merchantReference.length}8815`.padEnd(16, '7'), merchantAccountCode: 'RiskgateTestECOM', merchantReference, amount: { value: 125000, currency: 'THB' }, eventCode, success: 'true' }
  const payload = [item.pspReference, '', item.merchantAccountCode, item.merchantReference, item.amount.value, item.amount.currency, item.eventCode, item.success].join(':')
  const hmacSignature = createHmac('sha256', Buffer.from(ADYEN_KEY, 'hex')).update(payload).digest('base64')
  return await post(app, '/v1/webhooks/adyen', JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: { ...item, additionalData: { hmacSignature } } }] }))
}

t.test('a history labelled through the API, Omise, Stripe, Midtrans, Adyen and an import: the backtest shows every label', async (t) => {
  const { app } = await buildTestApp(t, {
    omiseWebhookSecrets: [OMISE_SECRET],
    stripeWebhookSecrets: [STRIPE_SECRET],
    midtransServerKeys: [MIDTRANS_KEY],
    adyenWebhook: { hmacKeys: [Buffer.from(ADYEN_KEY, 'hex')] }
  })
  const run = `${process.pid}`
  const ids: Record<string, string> = {}
  for (const name of ['api', 'omise', 'stripe', 'midtrans', 'adyen', 'import', 'none1', 'none2']) {
    ids[name] = (await score(app, uniqueCharge('allow', { charge_id: `ch_${name}_${run}` }))).decision_id
  }
  await app.outbox.flush()

  const api = await app.inject({ method: 'POST', url: `/v1/decisions/${ids.api as string}/outcome`, headers: { 'content-type': 'application/json', ...analystAuth }, payload: JSON.stringify({ label: 'legit' }) })
  t.equal(api.statusCode, 200, api.body)
  t.equal(await omise(app, 'charge.complete', { object: 'charge', id: `chrg_test_${run}`, status: 'successful', metadata: { riskgate_charge_id: `ch_omise_${run}` } }), 200)
  t.equal(await omise(app, 'dispute.create', { object: 'dispute', id: `dspt_test_${run}`, status: 'open', charge: `chrg_test_${run}` }), 200)
  t.equal(await stripe(app, 'radar.early_fraud_warning.created', { id: `issfr_${run}`, object: 'radar.early_fraud_warning', actionable: true, charge: `ch_stripe_${run}`, fraud_type: 'made_with_stolen_card', created: seconds(), livemode: false }), 200)
  t.equal(await midtrans(app, `ch_midtrans_${run}`, 'settlement'), 200)
  t.equal(await adyen(app, `ch_adyen_${run}`, 'NOTIFICATION_OF_FRAUD'), 200)
  const imported = await app.inject({
    method: 'POST',
    url: '/v1/outcomes:batch',
    headers: { 'content-type': 'application/json', ...analystAuth },
    payload: JSON.stringify({ format: 'generic', rows: [{ charge_id: `ch_import_${run}`, outcome: 'chargeback', event_id: `row_${run}` }] })
  })
  t.equal(imported.statusCode, 200, imported.body)
  await app.outbox.flush()

  const labels: Record<string, string | undefined> = {}
  for (const [name, id] of Object.entries(ids)) {
    const record = (await app.inject({ method: 'GET', url: `/v1/decisions/${id}`, headers: analystAuth })).json<DecisionRecord>()
    labels[name] = record.outcome === undefined ? undefined : `${record.outcome.label} (${record.outcome.source})`
  }
  t.same(labels, {
    api: 'legit (api)',
    omise: 'chargeback (omise)',
    stripe: 'fraud (stripe)',
    midtrans: 'legit (midtrans)',
    adyen: 'fraud (adyen)',
    import: 'chargeback (import)',
    none1: undefined,
    none2: undefined
  }, 'each source labelled its decision')

  // exported as an operator would: `riskgate decisions export` from the running server
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  const dir = t.testdir({})
  const exported = captureIo({ cwd: dir, env: { RISKGATE_API_KEY: ANALYST_SECRET } })
  t.equal(await runCli(['decisions', 'export', '--url', url, '--out', 'decisions.ndjson', '--quiet'], exported), 0, exported.err())

  const io = captureIo({ cwd: dir, env: { RISKGATE_HASH_KEY: HASH_KEY } })
  t.equal(await runCli(['backtest', '--rules', path.join(rootDir, 'rules'), '--input', 'decisions.ndjson', '--json'], io), 0, io.err())
  const report = JSON.parse(io.out()) as BacktestReport
  t.equal(report.input.records, 8)
  t.equal(report.outcomes.fraud.count, 4, 'Omise dispute and imported chargeback (chargebacks), Stripe and Adyen fraud warnings')
  t.equal(report.outcomes.good.count, 2, 'the API and Midtrans labels')
  t.equal(report.outcomes.unlabelled.count, 2)
})
