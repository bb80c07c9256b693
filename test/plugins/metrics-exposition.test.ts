import t from 'tap'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import type { MetricFamily } from 'parse-prometheus-text-format'
import { analystAuth, buildTestApp, charge, scoreAuth } from '../helpers/app.js'

/** /metrics read by a real parser of the exposition format, as Prometheus reads it */
async function scrape (app: Awaited<ReturnType<typeof buildTestApp>>['app']): Promise<Map<string, MetricFamily>> {
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  return new Map(parsePrometheusTextFormat(res.body).map((family) => [family.name, family]))
}

const valueOf = (family: MetricFamily | undefined, labels: Record<string, string>): number | undefined => {
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  return sample?.value === undefined ? undefined : Number(sample.value)
}

t.test('the exposition parses; counters are counters; HTTP answers, store calls, data age and webhooks are counted', async (t) => {
  const secret = Buffer.from('metrics-test-omise-secret-0123456789')
  const { app } = await buildTestApp(t, { omiseWebhookSecrets: [secret] })
  const post = async (body: unknown): Promise<{ statusCode: number }> => await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(body) })
  for (let i = 0; i < 3; i++) t.equal((await post(charge())).statusCode, 200)
  t.equal((await post({ ...charge(), amount: 'lots' })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: '/v1/decisions/unknown-decision', headers: analystAuth })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/no/such/route' })).statusCode, 404)
  const first = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  await app.outbox.flush()
  const reported = await app.inject({ method: 'POST', url: `/v1/decisions/${first.json<{ decision_id: string }>().decision_id}/outcome`, headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify({ label: 'fraud' }) })
  t.equal(reported.statusCode, 200)
  const refused = await app.inject({ method: 'POST', url: '/v1/webhooks/omise', headers: { 'content-type': 'application/json', 'omise-signature': 'bad', 'omise-signature-timestamp': String(Math.floor(Date.now() / 1000)) }, payload: '{}' })
  t.equal(refused.statusCode, 401)
  await app.outbox.flush()

  const families = await scrape(app)
  for (const [name, family] of families) {
    if (name.startsWith('riskgate_') && name.endsWith('_total')) t.equal(family.type, 'COUNTER', `${name} is a counter`)
  }
  const http = families.get('riskgate_http_requests_total')
  t.equal(valueOf(http, { method: 'POST', route: '/v1/score', status: '200' }), 4)
  t.equal(valueOf(http, { method: 'POST', route: '/v1/score', status: '400' }), 1)
  t.equal(valueOf(http, { method: 'GET', route: '/v1/decisions/:decision_id', status: '404' }), 1, 'by route pattern, never the URL')
  t.equal(valueOf(http, { route: 'unmatched', status: '404' }), 1)
  for (const sample of http?.metrics ?? []) t.notMatch(sample.labels?.route ?? '', /unknown-decision|no\/such/, 'no URL in a label')

  const store = families.get('riskgate_store_call_duration_seconds')
  t.equal(store?.type, 'HISTOGRAM')
  t.equal(Number(store?.metrics[0]?.count), 4, 'one store call per scored charge (the refused body never reached the store)')
  t.equal(valueOf(families.get('riskgate_store_call_errors_total'), {}), 0)

  const age = families.get('riskgate_data_age_seconds')
  t.equal(age?.type, 'GAUGE')
  const country = valueOf(age, { source: 'country' })
  t.ok(country !== undefined && country > 0, 'the bundled country data has an age')
  t.equal(families.get('riskgate_data_stale')?.type, 'GAUGE')

  t.equal(valueOf(families.get('riskgate_webhook_deliveries_total'), { gateway: 'omise', result: 'refused_signature' }), 1)
  t.equal(valueOf(families.get('riskgate_webhook_events_total'), { gateway: 'omise', result: 'applied' }), 0)
  t.equal(valueOf(families.get('riskgate_decisions_total'), { replayed: 'false' }) !== undefined, true)
  t.equal(valueOf(families.get('riskgate_outcomes_total'), { source: 'api', label: 'fraud', result: 'stored' }), 1, 'the outcome reported above')
  t.equal(valueOf(families.get('riskgate_outcomes_total'), { source: 'api', label: 'legit', result: 'unknown' }), undefined)

  // counters only grow between scrapes
  await post(charge())
  const again = await scrape(app)
  t.equal(valueOf(again.get('riskgate_http_requests_total'), { method: 'POST', route: '/v1/score', status: '200' }), 5)
  t.equal(valueOf(again.get('riskgate_http_requests_total'), { method: 'GET', route: '/metrics', status: '200' }), 1, 'the first scrape is counted')
})
