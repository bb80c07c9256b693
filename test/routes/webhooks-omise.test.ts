import t from 'tap'
import { createHmac } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { analystAuth, buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { eventually } from '../helpers/eventually.js'

const SECRET_B64 = 'cmlza2dhdGUtdGVzdC13ZWJob29rLXNlY3JldC0zMmIh'
const OLD_SECRET_B64 = Buffer.from('the-previous-webhook-secret-0123').toString('base64')
const secrets = [Buffer.from(SECRET_B64, 'base64'), Buffer.from(OLD_SECRET_B64, 'base64')]

/** Signs exactly as Omise documents: hex HMAC-SHA256 of "<timestamp>.<raw body>" with the decoded secret. */
function sign (body: string, timestamp: number, secretB64 = SECRET_B64): string {
  return createHmac('sha256', Buffer.from(secretB64, 'base64')).update(`${timestamp}.${body}`).digest('hex')
}

const now = (): number => Math.floor(Date.now() / 1000)

/** every signature sent, to prove none is logged */
const sent: string[] = []

async function deliver (app: FastifyInstance, body: string, headers: Record<string, string> = {}) {
  const timestamp = now()
  const signature = headers['omise-signature'] ?? sign(body, timestamp)
  sent.push(signature)
  return await app.inject({
    method: 'POST',
    url: '/v1/webhooks/omise',
    headers: { 'content-type': 'application/json', 'omise-signature-timestamp': String(timestamp), ...headers, 'omise-signature': signature },
    payload: body
  })
}

let seq = 0
function omiseEvent (key: string, data: Record<string, unknown>): string {
  seq++
  // the raw body as Omise sends it, whitespace included: the signature covers these exact bytes
  return JSON.stringify({ object: 'event', id: `evnt_test_${process.pid}_${seq}`, livemode: false, key, created_at: new Date().toISOString(), data }, null, 2)
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

t.test('a signed charge.complete (successful) marks the decision legit; a dispute later makes it a chargeback; the export shows it', async (t) => {
  const { app, logs } = await buildTestApp(t, { omiseWebhookSecrets: secrets })
  const { decision_id: decisionId } = await scored(app)
  const complete = omiseEvent('charge.complete', { object: 'charge', id: 'chrg_test_abc', status: 'successful', metadata: { riskgate_decision_id: decisionId } })
  const res = await deliver(app, complete)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { received: true, duplicate: false })
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
  t.equal((await decision(app, decisionId)).outcome?.source, 'omise')
  t.equal((await decision(app, decisionId)).outcome?.event_id, JSON.parse(complete).id)

  // a dispute carries only the Omise charge id: linked to the decision by the first event
  const dispute = omiseEvent('dispute.create', { object: 'dispute', id: 'dspt_test_1', status: 'open', charge: 'chrg_test_abc' })
  t.equal((await deliver(app, dispute)).statusCode, 200)
  t.equal((await decision(app, decisionId)).outcome?.label, 'chargeback')

  const exported = (await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body
  const line = exported.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DecisionRecord).find((r) => r.decision_id === decisionId)
  t.equal(line?.outcome?.label, 'chargeback')

  // a late legit (another event id) does not erase the chargeback
  const late = omiseEvent('charge.complete', { object: 'charge', id: 'chrg_test_abc', status: 'successful', metadata: { riskgate_decision_id: decisionId } })
  t.same((await deliver(app, late)).json(), { received: true, duplicate: false })
  t.equal((await decision(app, decisionId)).outcome?.label, 'chargeback')
  t.same(app.omiseWebhooks.stats(), { applied: 2, kept: 1, unmatched: 0, ignored: 0, failed: 0 })

  const all = logs.join('')
  t.ok(all.includes('omise webhook received'), 'the deliveries are logged')
  t.notOk(all.includes(SECRET_B64), 'the secret is never logged')
  t.ok(sent.length >= 3)
  t.notOk(sent.some((signature) => all.includes(signature)), 'no signature is logged')
})

t.test('a replayed event id is acknowledged and not applied twice', async (t) => {
  const { app } = await buildTestApp(t, { omiseWebhookSecrets: secrets })
  const { decision_id: decisionId } = await scored(app)
  const refund = omiseEvent('refund.create', { object: 'refund', id: 'rfnd_test_1', charge: { object: 'charge', id: 'chrg_test_r', metadata: { riskgate_decision_id: decisionId } } })
  t.same((await deliver(app, refund)).json(), { received: true, duplicate: false })
  await app.outbox.flush()
  // an analyst corrects it; a replay of the refund event (freshly signed) must not undo that
  await app.inject({ method: 'POST', url: `/v1/decisions/${decisionId}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'legit' }) })
  const replay = await deliver(app, refund)
  t.equal(replay.statusCode, 200, 'acknowledged, so Omise stops retrying')
  t.same(replay.json(), { received: true, duplicate: true })
  t.equal((await decision(app, decisionId)).outcome?.label, 'legit')
  t.equal(app.omiseWebhooks.stats().applied, 1)
})

t.test('the merchant used the Omise charge id as charge_id, or riskgate_charge_id in metadata', async (t) => {
  const { app } = await buildTestApp(t, { omiseWebhookSecrets: secrets })
  const byOmiseId = await scored(app, { charge_id: `chrg_test_${process.pid}_direct` })
  await deliver(app, omiseEvent('refund.create', { object: 'refund', id: 'rfnd_test_2', charge: byOmiseId.charge_id }))
  t.equal((await decision(app, byOmiseId.decision_id)).outcome?.label, 'refund')

  const byMetadata = await scored(app)
  await deliver(app, omiseEvent('charge.complete', { object: 'charge', id: 'chrg_test_m', status: 'failed', failure_code: 'stolen_or_lost_card', metadata: { riskgate_charge_id: byMetadata.charge_id } }))
  t.equal((await decision(app, byMetadata.decision_id)).outcome?.label, 'fraud')

  await deliver(app, omiseEvent('customer.create', { object: 'customer', id: 'cust_test_1' }))
  await app.outbox.flush()
  t.same(app.omiseWebhooks.stats(), { applied: 2, kept: 0, unmatched: 0, ignored: 1, failed: 0 })
})

t.test('an event about a charge the log does not know yet is held (not counted unmatched) and applied once the decision is recorded', async (t) => {
  const { app } = await buildTestApp(t, { omiseWebhookSecrets: secrets })
  const omiseChargeId = `chrg_test_${process.pid}_early`
  const dispute = omiseEvent('dispute.create', { object: 'dispute', id: 'dspt_test_early', charge: omiseChargeId })
  t.same((await deliver(app, dispute)).json(), { received: true, duplicate: false }, 'acknowledged at once')
  t.same((await deliver(app, omiseEvent('customer.create', { object: 'customer', id: 'cust_test_2' }))).json(), { received: true, duplicate: false })
  // the customer event was queued after the dispute: once it is processed, the dispute has been tried
  await eventually(() => app.omiseWebhooks.stats().ignored === 1 ? true : undefined)
  t.same(app.omiseWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 1, failed: 0 }, 'tried, found nothing, not given up')
  t.equal(app.outbox.stats()['omise-event']?.queued, 1, 'held in the outbox')

  const scoredLate = await scored(app, { charge_id: omiseChargeId })
  t.equal((await decision(app, scoredLate.decision_id)).outcome?.label, 'chargeback', 'applied once the decision is there')
  t.equal((await decision(app, scoredLate.decision_id)).outcome?.event_id, JSON.parse(dispute).id)
  t.same(app.omiseWebhooks.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 1, failed: 0 })
  t.same(app.outbox.stats()['omise-event']?.dropped, { full: 0, expired: 0, shutdown: 0 }, 'nothing dropped')
  t.equal(app.outbox.depth(), 0)
})

t.test('refusals: wrong signature 401, stale timestamp 400, no API key needed or accepted instead', async (t) => {
  const { app, logs } = await buildTestApp(t, { omiseWebhookSecrets: secrets })
  // a decline that says nothing about fraud: the one accepted below is processed and ignored
  const body = omiseEvent('charge.complete', { object: 'charge', id: 'chrg_test_z', status: 'failed', failure_code: 'insufficient_fund' })

  const wrong = await deliver(app, body, { 'omise-signature': sign(body, now(), Buffer.from('not-the-secret-0123456789abcdef!').toString('base64')) })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().error.code, 'webhook_signature_invalid')
  const withKey = await deliver(app, body, { 'omise-signature': '0'.repeat(64), ...scoreAuth })
  t.equal(withKey.statusCode, 401, 'an API key is no substitute for the signature')
  const missing = await app.inject({ method: 'POST', url: '/v1/webhooks/omise', headers: { 'content-type': 'application/json' }, payload: body })
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().error.code, 'webhook_signature_invalid')
  const tampered = await deliver(app, body.replace('insufficient_fund', 'stolen_or_lost_card'), { 'omise-signature': sign(body, now()) })
  t.equal(tampered.statusCode, 401)

  const old = now() - 301
  const stale = await deliver(app, body, { 'omise-signature': sign(body, old), 'omise-signature-timestamp': String(old) })
  t.equal(stale.statusCode, 400)
  t.equal(stale.json().error.code, 'webhook_timestamp_stale')

  const rotated = await deliver(app, body, { 'omise-signature': `${sign(body, now(), OLD_SECRET_B64)}` })
  t.equal(rotated.statusCode, 200, 'the previous secret still works during a rotation')
  await app.outbox.flush()
  t.same(app.omiseWebhooks.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 1, failed: 0 }, 'only the signed one was processed')

  const notJson = 'not json'
  const bad = await deliver(app, notJson)
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error.code, 'invalid_json')
  const notEvent = await deliver(app, JSON.stringify({ hello: 'world' }))
  t.equal(notEvent.json().error.code, 'validation_failed')
  const text = await app.inject({ method: 'POST', url: '/v1/webhooks/omise', headers: { 'content-type': 'text/plain' }, payload: body })
  t.equal(text.statusCode, 415)
  for (const res of [wrong, stale, missing]) t.notOk(res.body.includes(SECRET_B64) || sent.some((s) => res.body.includes(s)), 'neither secret nor signature is echoed')
  t.notOk(sent.some((signature) => logs.join('').includes(signature)), 'refused signatures are not logged either')
  t.ok(logs.join('').includes('omise webhook refused'))
})

t.test('the raw body parser is for this route only: /v1/score still parses JSON', async (t) => {
  const { app } = await buildTestApp(t, { omiseWebhookSecrets: secrets })
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  t.equal(res.statusCode, 200)
})

t.test('without secrets the route answers 503 webhook_not_configured', async (t) => {
  const { app } = await buildTestApp(t)
  const body = omiseEvent('charge.complete', { object: 'charge', id: 'chrg_test_n', status: 'successful' })
  const res = await deliver(app, body)
  t.equal(res.statusCode, 503)
  t.equal(res.json().error.code, 'webhook_not_configured')
})
