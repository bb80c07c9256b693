import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { asnBuildHint, createIpIntel } from '../../../src/signals/ip/ip-intel.js'
import { IpDataError } from '../../../src/signals/ip/data-source.js'
import { RiskgateError } from '../../../src/errors.js'
import { writeIpFixtures } from '../../helpers/mmdb-fixtures.js'

const BUILT = '2026-01-02T03:04:05.000Z'

t.test('all sources together', async (t) => {
  const dir = t.testdir({
    'tor.txt': '# exits\n185.220.101.1\n1.128.0.9\n',
    'hosting.txt': '16509 # Amazon AWS\n',
    'operator.txt': '198.51.0.0/16\n' // not documentation space: 198.51.100.0/24 is
  })
  const f = writeIpFixtures(dir)
  const intel = await createIpIntel({
    countryDb: f.countryGeoIP2,
    asnDb: f.asn,
    anonymousDb: f.anonymous,
    torExitsFile: join(dir, 'tor.txt'),
    hostingAsnFiles: [join(dir, 'hosting.txt'), join(dir, 'operator.txt')]
  })
  t.teardown(() => intel.close())

  t.same(intel.lookup('81.2.69.160'), {
    address: '81.2.69.160',
    version: 4,
    is_private: false,
    country: 'GB',
    asn: 20712,
    as_org: 'Andrews & Arnold Ltd',
    is_vpn: true,
    is_proxy: true,
    is_residential_proxy: true,
    is_tor: true,
    is_hosting: true,
    is_anonymous: true
  }, 'every anonymizer flag')

  t.same(intel.lookup('::ffff:3.5.140.2'), {
    address: '3.5.140.2',
    version: 4,
    is_private: false,
    asn: 16509,
    as_org: 'Amazon.com, Inc.',
    is_vpn: false,
    is_proxy: false,
    is_residential_proxy: false,
    is_tor: false,
    is_hosting: true,
    is_anonymous: false
  }, 'hosting from the ASN list; no country record; clean in the anonymizer database')

  const listedTor = intel.lookup('1.128.0.9')
  t.equal(listedTor.is_tor, true, 'Tor from the exit list')
  t.equal(listedTor.is_anonymous, true)
  t.equal(listedTor.is_hosting, false, 'AS1221 is not a hosting network')

  const clean = intel.lookup('8.8.8.8')
  t.equal(clean.is_anonymous, false, '{} in the anonymizer database means not anonymous')
  t.equal(clean.is_tor, false)
  t.equal(clean.is_hosting, false, 'no ASN known, but the network list can answer')

  t.equal(intel.lookup('198.51.7.7').is_hosting, true, 'operator network list')

  t.same(intel.lookup('192.168.1.1'), { address: '192.168.1.1', version: 4, is_private: true },
    'private: never looked up, although the fixtures map 192.168.0.0/16 to AU and AS64512')
  t.same(intel.lookup('::1'), { address: '::1', version: 6, is_private: true })

  t.same(intel.sources.map((s) => [s.name, s.kind, s.database_type, s.built_at_source]), [
    ['country', 'mmdb', 'GeoLite2-City', 'metadata'],
    ['asn', 'mmdb', 'GeoLite2-ASN', 'metadata'],
    ['anonymous', 'mmdb', 'GeoIP2-Anonymous-IP', 'metadata'],
    ['tor_exits', 'list', undefined, 'file_mtime'],
    ['hosting', 'list', undefined, 'file_mtime'],
    ['hosting', 'list', undefined, 'file_mtime']
  ])
  t.equal(intel.sources[0]?.built_at, BUILT)
  t.equal(intel.sources[0]?.ip_version, 6)
  t.ok((intel.sources[0]?.node_count ?? 0) > 0)
  t.equal(intel.sources[3]?.entries, 2)
})

t.test('country shapes and the IPv4-only trap', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const geoip2 = await createIpIntel({ countryDb: f.countryGeoIP2 })
  t.equal(geoip2.lookup('81.2.69.160').country, 'GB', 'country.iso_code before registered_country')
  t.equal(geoip2.lookup('89.160.20.1').country, 'SE', 'registered_country when there is no country')
  t.equal(geoip2.lookup('2001:218::1').country, 'JP')
  t.notOk('country' in geoip2.lookup('11.1.1.1'), 'a record without a country leaves it unknown')
  t.notOk('country' in geoip2.lookup('99.1.1.1'), 'no record: unknown')

  const flat = await createIpIntel({ countryDb: f.countryFlat })
  t.equal(flat.lookup('8.8.8.8').country, 'US', 'flat country_code, upper-cased')
  t.equal(flat.lookup('1.0.0.200').country, 'AU')
  t.equal(flat.lookup('2001:4860::8888').country, 'US')

  const v4only = await createIpIntel({ countryDb: f.countryIPv4Only })
  t.equal(v4only.sources[0]?.ip_version, 4)
  t.equal(v4only.lookup('200.1.1.1').country, 'AU')
  t.same(v4only.lookup('2001:4860::8888'), { address: '2001:4860::8888', version: 6, is_private: false },
    'an IPv4-only database is not asked about IPv6')
})

t.test('ASN and ISP shapes', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const asn = await createIpIntel({ asnDb: f.asn })
  t.same(asn.lookup('1.128.0.1'), { address: '1.128.0.1', version: 4, is_private: false, asn: 1221, as_org: 'Telstra Pty Ltd' })
  t.same(asn.lookup('12.81.96.1'), { address: '12.81.96.1', version: 4, is_private: false, asn: 7018 }, 'no organization')
  t.equal(asn.lookup('2600:1f18::1').asn, 16509)
  t.notOk('is_hosting' in asn.lookup('3.1.1.1'), 'no hosting list loaded: unknown')

  const isp = await createIpIntel({ asnDb: f.isp })
  t.same(isp.lookup('1.0.200.1'), { address: '1.0.200.1', version: 4, is_private: false, as_org: 'TOT Public Company Limited' })
  t.equal(isp.lookup('1.128.0.1').as_org, 'Telstra Pty Ltd', 'the AS organization before the ISP name')
})

t.test('anonymizer shapes: IP risk and the nested anonymizer object', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const risk = await createIpIntel({ anonymousDb: f.ipRisk })
  t.same(risk.lookup('214.2.3.5'), {
    address: '214.2.3.5',
    version: 4,
    is_private: false,
    is_vpn: true,
    is_proxy: false,
    is_residential_proxy: true,
    risk: 90,
    is_tor: true,
    is_hosting: false,
    is_anonymous: true
  })
  const riskOnly = risk.lookup('214.2.3.6')
  t.equal(riskOnly.risk, 85)
  t.equal(riskOnly.is_anonymous, false)
  t.equal(risk.lookup('55.0.0.1').risk, 0.5)
  t.notOk('risk' in risk.lookup('99.9.9.9'), 'no record: no risk, but flags false')
  t.equal(risk.lookup('99.9.9.9').is_vpn, false)

  const nested = await createIpIntel({ anonymousDb: f.anonymizerNested })
  t.equal(nested.lookup('6.1.2.3').is_vpn, true)
  t.equal(nested.lookup('6.1.2.3').is_anonymous, true)
  t.equal(nested.lookup('7.1.2.3').is_residential_proxy, true)
  t.equal(nested.lookup('7.1.2.3').is_anonymous, true)
})

t.test('a Tor list alone says anonymous only for exits', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const intel = await createIpIntel({ torExitsFile: join(dir, 'tor.txt') })
  t.same(intel.lookup('185.220.101.1'), { address: '185.220.101.1', version: 4, is_private: false, is_tor: true, is_anonymous: true })
  t.same(intel.lookup('185.220.101.2'), { address: '185.220.101.2', version: 4, is_private: false, is_tor: false })
})

t.test('nothing loaded: only the address facts', async (t) => {
  const intel = await createIpIntel({})
  t.same(intel.sources, [])
  t.same(intel.lookup('2600:1F18::0001'), { address: '2600:1f18::1', version: 6, is_private: false })
})

t.test('invalid addresses are a 400, not a crash', async (t) => {
  const intel = await createIpIntel({})
  t.throws(() => intel.lookup('999.1.1.1'), RiskgateError)
  t.throws(() => intel.lookup('999.1.1.1'), { statusCode: 400, code: 'validation_failed' })
})

t.test('load errors name the file', async (t) => {
  const dir = t.testdir({ 'broken.mmdb': 'not a database at all', 'tor.txt': 'garbage line\n' })
  await t.rejects(createIpIntel({ countryDb: join(dir, 'missing.mmdb') }), { name: 'IpDataError', message: /^country database .*missing\.mmdb: file not found$/ })
  await t.rejects(createIpIntel({ anonymousDb: join(dir, 'broken.mmdb') }), /anonymous database .*broken\.mmdb is not a MaxMind DB file/)
  await t.rejects(createIpIntel({ torExitsFile: join(dir, 'tor.txt') }), /tor\.txt:1/)
  await t.rejects(createIpIntel({ asnDb: join(dir, 'missing.mmdb') }), IpDataError)

  const bundled = join(dir, 'data', 'build', 'asn.mmdb')
  t.match(asnBuildHint(bundled, bundled), /npm run data:build/)
  t.equal(asnBuildHint(join(dir, 'other.mmdb'), bundled), '')
  writeFileSync(join(dir, 'empty.mmdb'), '')
  await t.rejects(createIpIntel({ asnDb: join(dir, 'empty.mmdb') }), /not a MaxMind DB file/)
})

t.test('after close, lookups only describe the address', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const intel = await createIpIntel({ countryDb: f.countryGeoIP2 })
  t.equal(intel.lookup('81.2.69.160').country, 'GB')
  await intel.close()
  t.same(intel.lookup('81.2.69.160'), { address: '81.2.69.160', version: 4, is_private: false })
})
