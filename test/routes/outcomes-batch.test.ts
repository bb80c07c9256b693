import t from 'tap'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { DecisionRecord } from '../../src/decision-log/record.js'
import { CARD_NUMBER_PLACEHOLDER } from '../../src/security/scrub-card-numbers.js'
import { analystAuth, buildTestApp, scoreAuth } from '../helpers/app.js'
import { score, uniqueCharge } from '../helpers/analyst.js'
import { csvRows, omiseCsv, stripeDisputesCsv } from '../helpers/outcome-exports.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'

const DAY = 86_400_000
const NOW = Date.now()

async function importRows (app: FastifyInstance, format: string, rows: unknown[], headers: Record<string, string> = analystAuth): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url: '/v1/outcomes:batch', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify({ format, rows }) })
}

async function decision (app: FastifyInstance, id: string): Promise<DecisionRecord> {
  await app.outbox.flush()
  return (await app.inject({ method: 'GET', url: `/v1/decisions/${id}`, headers: analystAuth })).json()
}

/** a decision recorded for this charge id (an `allow` with identifiers no other charge has) */
async function recorded (app: FastifyInstance, chargeId: string): Promise<string> {
  const scored = await score(app, uniqueCharge('allow', { charge_id: chargeId }))
  await app.outbox.flush()
  return scored.decision_id
}

t.test('only an analyst key may import: no key 401, a score key 403', async (t) => {
  const { app } = await buildTestApp(t)
  const rows = [{ charge_id: 'ch_x', outcome: 'fraud' }]
  const none = await app.inject({ method: 'POST', url: '/v1/outcomes:batch', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ format: 'generic', rows }) })
  t.equal(none.statusCode, 401)
  const merchant = await importRows(app, 'generic', rows, scoreAuth)
  t.equal(merchant.statusCode, 403)
  t.same(merchant.json(), { error: { code: 'forbidden', message: 'this API key lacks the "analyst" scope' } })
  t.equal((await importRows(app, 'generic', rows)).statusCode, 200)
})

t.test('a Stripe disputes export: fraudulent is fraud, other reasons chargeback; found by charge, PaymentIntent or metadata; imported again, nothing is applied', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const byCharge = await recorded(app, 'ch_3QimpTestCharge01')
  const byIntent = await recorded(app, 'pi_3QimpTestIntent02')
  const byMetadata = await recorded(app, 'order_import_03')
  const created = NOW - 3 * DAY
  const file = stripeDisputesCsv([
    { id: 'du_1QimpDispute01', chargeId: 'ch_3QimpTestCharge01', paymentIntentId: 'pi_3QimpOtherIntent1', reason: 'fraudulent', status: 'needs_response', createdMs: created },
    { id: 'du_1QimpDispute02', chargeId: 'ch_3QimpTestCharge02', paymentIntentId: 'pi_3QimpTestIntent02', reason: 'product_not_received', status: 'under_review', createdMs: created + 1000 },
    { id: 'dp_1QimpDispute03', chargeId: 'ch_3QimpTestCharge03', reason: 'general', status: 'lost', createdMs: created + 2000, decisionId: byMetadata }
  ])
  const rows = csvRows(file)
  t.equal(rows.length, 3, 'the description with a comma, quotes and a line break is one field')

  const first = await importRows(app, 'stripe-disputes', rows)
  t.equal(first.statusCode, 200, first.body)
  t.same(first.json().counts, { applied: 3, kept: 0, duplicate: 0, held: 0, refused: 0 })
  t.same(first.json().results.map((r: { status: string, decision_id: string, event_id: string }) => [r.status, r.decision_id, r.event_id]), [
    ['applied', byCharge, 'du_1QimpDispute01'], ['applied', byIntent, 'du_1QimpDispute02'], ['applied', byMetadata, 'dp_1QimpDispute03']
  ])
  const fraud = await decision(app, byCharge)
  t.match(fraud.outcome, { label: 'fraud', source: 'import', actor: 'key:analyst', event_id: 'du_1QimpDispute01', at: new Date(Math.floor(created / 1000) * 1000).toISOString(), note: 'Stripe dispute du_1QimpDispute01: reason fraudulent, status needs_response' })
  t.equal((await decision(app, byIntent)).outcome?.label, 'chargeback')
  t.equal((await decision(app, byMetadata)).outcome?.label, 'chargeback')
  t.equal(await app.decisionLog.store.findByChargeId('ch_3QimpTestCharge02'), byIntent, 'the charge id found through the PaymentIntent is linked, as the webhook links it')
  t.equal(await app.decisionLog.store.findByChargeId('ch_3QimpTestCharge03'), byMetadata)

  const again = await importRows(app, 'stripe-disputes', rows)
  t.same(again.json().counts, { applied: 0, kept: 0, duplicate: 3, held: 0, refused: 0 })
  t.equal((await decision(app, byCharge)).outcomes?.length, 1, 'nothing more in the history')
  t.notOk(logs.join('').includes('somchai@'), 'the customer columns are never logged')
})

t.test('an Opn Payments (Omise) export: a dispute is a chargeback, a refund a refund; precedence keeps the chargeback', async (t) => {
  const { app } = await buildTestApp(t)
  const disputed = await recorded(app, 'chrg_test_imp_001')
  const refunded = await recorded(app, 'order_imp_omise_2')
  const rows = csvRows(omiseCsv([
    { id: 'dspt_test_5imp001', kind: 'dispute', charge: 'chrg_test_imp_001', createdMs: NOW - 5 * DAY, status: 'open' },
    { id: 'rfnd_test_5imp002', kind: 'refund', charge: 'chrg_test_imp_002', createdMs: NOW - 4 * DAY, status: 'closed', decisionId: refunded },
    { id: 'rfnd_test_5imp003', kind: 'refund', charge: 'chrg_test_imp_001', createdMs: NOW - 2 * DAY, status: 'closed' }
  ]))
  const res = await importRows(app, 'omise', rows)
  t.same(res.json().results.map((r: { status: string }) => r.status), ['applied', 'applied', 'kept'])
  const record = await decision(app, disputed)
  t.equal(record.outcome?.label, 'chargeback', 'a later refund does not replace the chargeback')
  t.same(record.outcomes?.map((o) => o.label), ['chargeback', 'refund'], 'but is in the history')
  t.equal((await decision(app, refunded)).outcome?.label, 'refund')
  t.equal(await app.decisionLog.store.findByChargeId('chrg_test_imp_002'), refunded, 'the Omise charge id is linked, as the webhook links it')
})

t.test('generic rows: by decision_id or charge_id, reported_at and note kept (card numbers scrubbed), a row without event_id applied once', async (t) => {
  const { app } = await buildTestApp(t)
  const a = await recorded(app, 'order_gen_1')
  const b = await recorded(app, 'order_gen_2')
  const reportedAt = new Date(NOW - 10 * DAY).toISOString()
  const rows = [
    { decision_id: a, outcome: 'fraud', reported_at: reportedAt, note: 'card 4111 1111 1111 1111 reported stolen' },
    { charge_id: 'order_gen_2', outcome: 'Legit', event_id: 'crm-export-2026-11:42' },
    { charge_id: 'order_gen_2', outcome: 'legit', event_id: 'crm-export-2026-11:42' }
  ]
  const res = await importRows(app, 'generic', rows)
  t.same(res.json().results.map((r: { status: string }) => r.status), ['applied', 'applied', 'duplicate'], 'the same event_id twice in one request')
  const first = await decision(app, a)
  t.equal(first.outcome?.at, reportedAt)
  t.equal(first.outcome?.note, `card ${CARD_NUMBER_PLACEHOLDER} reported stolen`)
  t.match(first.outcome?.event_id, /^row_[A-Za-z0-9_-]{22}$/, 'a keyed hash of what the row says')
  t.equal((await decision(app, b)).outcome?.event_id, 'crm-export-2026-11:42')
  t.same((await importRows(app, 'generic', rows.slice(0, 1))).json().counts.duplicate, 1, 'the same row again: a duplicate')
  const changed = await importRows(app, 'generic', [{ ...rows[0], note: 'another note' }])
  t.same(changed.json().counts.applied, 1, 'a row that says something else is another event')
})

t.test('each refused row is answered with its index and code; the rows beside it are applied', async (t) => {
  const { app } = await buildTestApp(t)
  const id = await recorded(app, 'order_refused_ok')
  const rows: unknown[] = [
    { charge_id: 'order_refused_ok', outcome: 'fruad' },
    { charge_id: 'order_refused_ok', outcome: 'review_approved' },
    { charge_id: 'order_refused_ok', outcome: 'gateway_denied' },
    { outcome: 'fraud', note: 'no reference' },
    { decision_id: 'not-a-uuid', outcome: 'fraud' },
    { charge_id: 'order_refused_ok', outcome: 'fraud', reported_at: 'yesterday' },
    { charge_id: 'order_refused_ok', outcome: 'fraud', reported_at: new Date(NOW + 3 * DAY).toISOString() },
    { charge_id: 'order_refused_ok', outcome: 'fraud', event_id: 'has spaces' },
    { charge_id: 'x'.repeat(129), outcome: 'fraud' },
    { charge_id: 'order_refused_ok', outcome: 'fraud', note: 'n'.repeat(1001) },
    { charge_id: 'order_refused_ok', outcome: 'chargeback', extra: { nested: true } },
    { charge_id: 'order_refused_ok', outcome: 'chargeback' }
  ]
  const res = await importRows(app, 'generic', rows)
  t.equal(res.statusCode, 200)
  const results = res.json().results as Array<{ index: number, status: string, code?: string, message?: string }>
  t.same(results.map((r) => [r.index, r.status, r.code]), [
    [0, 'refused', 'invalid_outcome'], [1, 'refused', 'outcome_not_importable'], [2, 'refused', 'outcome_not_importable'],
    [3, 'refused', 'missing_reference'], [4, 'refused', 'invalid_reference'], [5, 'refused', 'invalid_time'], [6, 'refused', 'invalid_time'],
    [7, 'refused', 'invalid_event_id'], [8, 'refused', 'invalid_reference'], [9, 'refused', 'invalid_row'], [10, 'refused', 'invalid_row'],
    [11, 'applied', undefined]
  ])
  t.notOk(results.some((r) => r.message?.includes('fruad') === true || r.message?.includes('yesterday') === true), 'no message quotes the row')
  t.equal((await decision(app, id)).outcome?.label, 'chargeback')

  const stripe = await importRows(app, 'stripe-disputes', [{ id: 'dspt_test_1', 'Charge ID': 'ch_1', Reason: 'fraudulent' }, { id: 'du_1', Reason: 'fraudulent' }, { id: 'du_2', 'Charge ID': 'ch bad', Reason: 'general' }, { id: 'du_3', 'Charge ID': 'ch_3', Reason: 'general', 'Created (UTC)': '2026-02-30 10:00:00' }])
  t.same(stripe.json().results.map((r: { code?: string }) => r.code), ['invalid_event_id', 'missing_reference', 'invalid_reference', 'invalid_time'])
  const omise = await importRows(app, 'omise', [{ id: 'rfnd_test_1', object: 'dispute', charge: 'chrg_1' }, { id: 'du_1', charge: 'chrg_1' }])
  t.same(omise.json().results.map((r: { code?: string }) => r.code), ['unknown_kind', 'invalid_event_id'])
})

t.test('with Redis, an event claimed by one instance is a duplicate on another', { skip: externalRedisUrl() !== undefined && 'the apps write under the default key prefix' }, async (t) => {
  const redis = await startRedis(t)
  const { app: one } = await buildTestApp(t, { redis: { url: redis.url } })
  const { app: two } = await buildTestApp(t, { redis: { url: redis.url } })
  const id = await recorded(one, 'ch_3QimpRedisCharge1')
  const rows = csvRows(stripeDisputesCsv([{ id: 'du_1QimpRedis01', chargeId: 'ch_3QimpRedisCharge1', reason: 'fraudulent', status: 'lost', createdMs: NOW - DAY }]))
  t.same((await importRows(one, 'stripe-disputes', rows)).json().counts.applied, 1)
  t.same((await importRows(two, 'stripe-disputes', rows)).json().counts.duplicate, 1)
  t.same((await decision(two, id)).outcomes?.map((o) => [o.label, o.source]), [['fraud', 'import']])
})

t.test('a row whose decision is not recorded yet is held, and applied when the record lands', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const res = await importRows(app, 'generic', [{ charge_id: 'order_scored_later', outcome: 'chargeback', event_id: 'late-1' }])
  t.same(res.json().results, [{ index: 0, status: 'held', event_id: 'late-1' }])
  const { decision_id: id } = await score(app, uniqueCharge('allow', { charge_id: 'order_scored_later' }))
  await app.outbox.flush()
  const record = await decision(app, id)
  t.equal(record.outcome?.label, 'chargeback')
  t.equal(record.outcome?.source, 'import')
  t.same(app.outcomeImport.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
  t.ok(logs.join('').includes('outcome import: held row applied'))
  t.same((await importRows(app, 'generic', [{ charge_id: 'order_scored_later', outcome: 'chargeback', event_id: 'late-1' }])).json().counts.duplicate, 1)
})

t.test('limits: 1,000 rows and 2 MiB a request, answered with stable codes', async (t) => {
  const { app } = await buildTestApp(t)
  const many = await importRows(app, 'generic', Array.from({ length: 1001 }, (_, i) => ({ charge_id: `c${i}`, outcome: 'fraud' })))
  t.equal(many.statusCode, 400)
  t.equal(many.json().error.code, 'too_many_rows')
  const big = await importRows(app, 'generic', Array.from({ length: 900 }, (_, i) => ({ charge_id: `c${i}`, outcome: 'fraud', note: 'n'.repeat(2400) })))
  t.equal(big.statusCode, 413)
  t.equal(big.json().error.code, 'body_too_large')
  const empty = await importRows(app, 'generic', [])
  t.equal(empty.statusCode, 400)
  t.equal(empty.json().error.code, 'validation_failed')
  const format = await importRows(app, 'paypal', [{ charge_id: 'c', outcome: 'fraud' }])
  t.equal(format.statusCode, 400)
  t.equal(format.json().error.code, 'validation_failed')
})

t.test('metrics: the events of gateway "import" and the rows by format and status', async (t) => {
  const { app } = await buildTestApp(t)
  await recorded(app, 'order_metrics_1')
  await importRows(app, 'generic', [
    { charge_id: 'order_metrics_1', outcome: 'chargeback' },
    { charge_id: 'order_metrics_1', outcome: 'legit' },
    { charge_id: 'order_metrics_1', outcome: 'nope' },
    { charge_id: 'order_metrics_never', outcome: 'fraud' }
  ])
  await importRows(app, 'generic', [{ charge_id: 'order_metrics_1', outcome: 'chargeback' }])
  const metrics = new Map(parsePrometheusTextFormat((await app.inject({ method: 'GET', url: '/metrics' })).body).map((f) => [f.name, f]))
  const valueOf = (name: string, labels: Record<string, string>): number | undefined => {
    const sample = metrics.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    return sample?.value === undefined ? undefined : Number(sample.value)
  }
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'import', result: 'applied' }), 1)
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'import', result: 'kept' }), 1)
  t.equal(valueOf('riskgate_webhook_events_total', { gateway: 'stripe', result: 'applied' }), 0, 'beside the webhooks\' counts')
  for (const [status, n] of [['applied', 1], ['kept', 1], ['refused', 1], ['held', 1], ['duplicate', 1]] as const) {
    t.equal(valueOf('riskgate_outcome_import_rows_total', { format: 'generic', status }), n, status)
  }
  t.equal(valueOf('riskgate_outcomes_total', { source: 'import', label: 'chargeback', result: 'stored' }), 1)
})

t.test('the route is in the OpenAPI document with its operation id', async (t) => {
  const { app } = await buildTestApp(t)
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json()
  const operation = doc.paths['/v1/outcomes:batch']?.post
  t.equal(operation?.operationId, 'importOutcomes')
})
