import t from 'tap'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { buildApp } from '../../src/app.js'
import { charge, rootDir, scoreAuth, testConfig, testData } from '../helpers/app.js'

/**
 * The whole app on MaxMind's own test databases (../shared/maxmind-test, beside the project; the
 * test is skipped without them): the anonymizer flags reach the response and fire the default
 * rules that read them.
 */
const shared = resolve(rootDir, '..', 'shared', 'maxmind-test', 'test-data')

const ANONYMIZER_RULES = ['tor_exit', 'hosting_ip', 'public_proxy_or_vpn', 'residential_proxy', 'large_amount_anonymous_ip']

interface Scored {
  signals: { ip: Record<string, unknown> }
  reasons: Array<{ rule: string, values: Record<string, unknown> }>
  skipped: Array<{ rule: string }>
  data: Record<string, string>
}

if (!existsSync(shared)) {
  t.plan(0, 'MaxMind test databases not found at ../shared/maxmind-test: app-level compatibility test skipped')
} else {
  const { torExitsFile: _tor, ...data } = testData(t) // no Tor list: is_tor comes from the database
  const app = await buildApp(testConfig({
    ...data,
    anonymousDb: join(shared, 'GeoIP2-Anonymous-IP-Test.mmdb'),
    asnDb: join(shared, 'GeoLite2-ASN-Test.mmdb')
  }), { logStream: { write: () => {} } })
  t.teardown(() => app.close())

  const score = async (ip: string): Promise<Scored> => {
    // a large THB charge, so the amount part of large_amount_anonymous_ip holds
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: charge({ ip, amount: 2_500_000 }) })
    t.equal(res.statusCode, 200)
    return res.json()
  }

  t.test('81.2.69.160: every anonymizer flag, and the rules that read them fire', async (t) => {
    const out = await score('81.2.69.160')
    t.match(out.signals.ip, { is_anonymous: true, is_vpn: true, is_proxy: true, is_residential_proxy: true, is_tor: true, is_hosting: true })
    const fired = out.reasons.map((r) => r.rule)
    for (const rule of ANONYMIZER_RULES) t.ok(fired.includes(rule), `${rule} fires`)
    t.match(out.reasons.find((r) => r.rule === 'tor_exit'), { values: { 'ip.is_tor': true } })
    t.match(out.data, { anonymous: String, asn: String })
  })

  t.test('8.8.8.8: no flag, none of those rules fires, none is skipped as unknown', async (t) => {
    const out = await score('8.8.8.8')
    t.match(out.signals.ip, { is_anonymous: false, is_vpn: false, is_proxy: false, is_residential_proxy: false, is_tor: false, is_hosting: false })
    const fired = out.reasons.map((r) => r.rule)
    for (const rule of ANONYMIZER_RULES) t.notOk(fired.includes(rule), `${rule} does not fire`)
    const skipped = out.skipped.map((s) => s.rule)
    for (const rule of ANONYMIZER_RULES) t.notOk(skipped.includes(rule), `${rule} is decided, not skipped`)
  })
}
