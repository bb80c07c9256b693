import t from 'tap'
import { buildApp } from '../../../src/app.js'
import { loadDataConfig } from '../../../src/config/load-config.js'
import { bundledDataPaths } from '../../../src/signals/ip/bundled-data.js'
import { createIpIntel } from '../../../src/signals/ip/ip-intel.js'
import { charge, scoreAuth, testConfig } from '../../helpers/app.js'

// The bundled open data, as a fresh install runs it: the default configuration (country from
// @ip-location-db, data/build/asn.mmdb built by `npm ci`, data/hosting-asns.txt).
const data = loadDataConfig({ RISKGATE_DEV_STATE_DIR: t.testdir() }) // no updated open data: the bundled files
const bundled = bundledDataPaths()
t.same([data.countryDb, data.asnDb, data.hostingAsnFiles], [bundled.countryDb, bundled.asnDb, [bundled.hostingAsns]], 'the defaults are the bundled files')

const intel = await createIpIntel(data)
t.teardown(() => intel.close())

t.test('8.8.8.8: Google public DNS, US, AS15169, not a datacenter', async (t) => {
  const ip = intel.lookup('8.8.8.8')
  t.equal(ip.country, 'US')
  t.equal(ip.asn, 15169)
  t.match(ip.as_org, /Google/)
  t.equal(ip.is_hosting, false)
  t.equal(ip.is_private, false)
  t.notOk('is_tor' in ip, 'no Tor list configured: unknown, not false')
  t.same(intel.lookup('::ffff:8.8.8.8'), ip, 'IPv4-mapped IPv6 gives the same signals')
})

const hosting: Array<[string, string, number, RegExp]> = [
  ['AWS', '52.94.76.1', 16509, /Amazon/],
  ['AWS (IPv6)', '2600:1f18::1', 14618, /Amazon/],
  ['Hetzner', '88.198.1.1', 24940, /Hetzner/],
  ['Hetzner (IPv6)', '2a01:4f8::1', 24940, /Hetzner/],
  ['DigitalOcean', '104.131.0.1', 14061, /DigitalOcean/]
]
for (const [provider, address, asn, org] of hosting) {
  t.test(`${provider} ${address}: a hosting provider`, async (t) => {
    const ip = intel.lookup(address)
    t.equal(ip.asn, asn)
    t.match(ip.as_org, org)
    t.equal(ip.is_hosting, true)
    t.type(ip.country, 'string')
  })
}

t.test('1.1.1.1: Cloudflare is not on the hosting list (WARP, Private Relay)', async (t) => {
  t.match(intel.lookup('1.1.1.1'), { asn: 13335, is_hosting: false })
})

t.test('192.168.1.10: private, never looked up (the bundled country data maps 192.168/16 to AU)', async (t) => {
  t.same(intel.lookup('192.168.1.10'), { address: '192.168.1.10', version: 4, is_private: true })
})

t.test('through the app: POST /v1/score on the bundled data, with data versions', async (t) => {
  const app = await buildApp(testConfig(data), { logStream: { write: () => {} } })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: charge({ ip: '::ffff:8.8.8.8' }) })
  t.equal(res.statusCode, 200)
  const out = res.json()
  t.match(out.signals.ip, { address: '8.8.8.8', country: 'US', asn: 15169, as_org: /Google/, is_hosting: false })
  t.same(Object.keys(out.data).sort(), ['asn', 'country', 'hosting'])
  t.match(out.data.asn, /^\d{4}-\d\d-\d\dT/, 'the build date of the ASN data')
})
