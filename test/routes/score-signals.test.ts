import t from 'tap'
import { buildApp } from '../../src/app.js'
import { analystAuth, charge, scoreAuth, testConfig } from '../helpers/app.js'
import { writeMmdb } from '../helpers/mmdb-fixtures.js'
import { testData } from '../helpers/test-data.js'

const json = { 'content-type': 'application/json' }
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1'
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'

t.test('device, connection type, addresses and distance: scored, answered, recorded, replayed', async (t) => {
  // a City database (the test addresses in Sydney, London, Ashburn) and a Connection-Type database
  const data = testData(t, { locations: true })
  const dir = t.testdir()
  data.connectionTypeDb = writeMmdb(dir, 'ct.mmdb', { databaseType: 'GeoIP2-Connection-Type', buildEpoch: new Date('2026-11-20T00:00:00Z') }, [
    ['1.128.0.0/11', { connection_type: 'Cellular' }]
  ])
  const logs: string[] = []
  const app = await buildApp(testConfig(data), { logStream: { write: (line) => { logs.push(line) } } })
  t.teardown(() => app.close())
  t.ok(logs.some((line) => line.includes('cities table loaded')), 'with a City database the cities table is loaded before the service is ready')
  const post = async (body: unknown) => await app.inject({ method: 'POST', url: '/v1/score', headers: { ...json, ...scoreAuth }, payload: JSON.stringify(body) })
  const rules = (out: { reasons: Array<{ rule: string }> }): string[] => out.reasons.map((r) => r.rule)

  t.test('a shopper\'s phone in the billing city, shipping home', async (t) => {
    const res = await post(charge({
      user_agent: IPHONE,
      accept_language: 'en-AU,en;q=0.9,th;q=0.8',
      billing: { city: 'Sydney', postal_code: '2000', country: 'AU' },
      shipping: { city: 'Sydney', postal_code: '2000', country: 'AU' }
    }))
    t.equal(res.statusCode, 200)
    const out = res.json()
    t.same(out.signals.device, {
      user_agent: IPHONE, browser: 'Safari', os: 'iOS', is_mobile: true, is_bot: false, accept_language: 'en-AU,en;q=0.9,th;q=0.8', language: 'en'
    })
    t.equal(out.signals.ip.connection_type, 'Cellular')
    t.equal(out.signals.billing_shipping_match, true)
    t.equal(out.signals.ip_billing_distance_km, 0)
    for (const rule of ['automation_client', 'ip_far_from_billing', 'billing_shipping_mismatch']) t.notOk(rules(out).includes(rule), `${rule} did not fire`)
  })

  t.test('a headless browser, far from the billing city, shipping elsewhere: each rule fires with what it read', async (t) => {
    const body = charge({
      user_agent: HEADLESS,
      billing: { city: 'Bangkok', postal_code: '10110', country: 'TH' },
      shipping: { city: 'Nonthaburi', postal_code: '11000', country: 'TH' }
    })
    const out = (await post(body)).json()
    t.match(out.signals.device, { user_agent: HEADLESS, browser: 'Chrome', os: 'Linux', is_mobile: false, is_bot: true })
    t.notOk('language' in out.signals.device, 'no Accept-Language: no language')
    t.equal(out.signals.billing_shipping_match, false)
    const distance = out.signals.ip_billing_distance_km
    t.ok(distance > 7_000 && distance < 8_000, `Sydney - Bangkok: ${distance} km`)
    const reason = (id: string): { values: Record<string, unknown> } | undefined => out.reasons.find((r: { rule: string }) => r.rule === id)
    t.same(reason('automation_client')?.values, { 'device.is_bot': true })
    t.same(reason('ip_far_from_billing')?.values, { ip_billing_distance_km: distance })
    t.same(reason('billing_shipping_mismatch')?.values, { billing_shipping_match: false })

    // the record keeps what the headers say, not the headers; the rest as answered
    const record = (await app.inject({ method: 'GET', url: `/v1/decisions/${out.decision_id as string}`, headers: analystAuth })).json()
    t.same(record.features.device, { browser: 'Chrome', os: 'Linux', is_mobile: false, is_bot: true })
    t.equal(record.features.billing_shipping_match, false)
    t.equal(record.features.ip_billing_distance_km, distance)
    t.equal(record.features.ip.connection_type, 'Cellular')
    t.notOk(JSON.stringify(record).includes('HeadlessChrome'), 'the user agent is not kept')
    t.ok(record.fired.includes('automation_client'))

    // a retry answers the recorded decision, with the user agent of its own body
    const retry = (await post(body)).json()
    t.equal(retry.replayed, true)
    t.equal(retry.decision_id, out.decision_id)
    t.same(retry.signals.device, out.signals.device)
    t.same(retry.reasons, out.reasons)
  })

  t.test('without the headers or a shipping address these are unknown: the rules are skipped, never fired', async (t) => {
    const out = (await post(charge({ ip: '185.220.101.9', billing: { city: 'Bangkok', country: 'TH' } }))).json()
    t.notOk('device' in out.signals)
    t.notOk('billing_shipping_match' in out.signals)
    t.notOk('ip_billing_distance_km' in out.signals, 'an address without a city in the database has no location')
    t.notOk('connection_type' in out.signals.ip)
    const skipped = Object.fromEntries(out.skipped.map((s: { rule: string, unknown: string[] }) => [s.rule, s.unknown]))
    t.same(skipped.automation_client, ['device.is_bot'])
    t.same(skipped.ip_far_from_billing, ['ip_billing_distance_km'])
    t.same(skipped.billing_shipping_mismatch, ['billing_shipping_match'])
  })

  t.test('a card number typed into the user agent is scrubbed before it is parsed, answered or kept', async (t) => {
    const out = (await post(charge({ user_agent: `${IPHONE} 4111 1111 1111 1111` }))).json()
    t.equal(out.signals.device.user_agent, `${IPHONE} [card]`)
    t.notOk(JSON.stringify(out).includes('4111 1111'))
  })
})
