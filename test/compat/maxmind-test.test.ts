import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bytesMatchPrefix, formatIPv4, formatIPv6, parseIp } from '../../src/mmdb/ip-address.js'
import { createIpIntel } from '../../src/signals/ip/ip-intel.js'
import type { IpIntelOptions } from '../../src/signals/ip/ip-intel.js'
import { normalizeIp } from '../../src/signals/ip/normalize.js'
import type { IpSignals } from '../../src/schemas/signals.js'

/**
 * MaxMind's own test databases (maxmind/MaxMind-DB test-data, written by MaxMind's writer) read
 * through createIpIntel. They live outside the project, in ../shared/maxmind-test; without them
 * this test is skipped. Each database is checked against its source-data JSON, network by network.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const shared = resolve(root, '..', 'shared', 'maxmind-test')

type Json = Record<string, unknown>
interface Probe { address: string, record: Json }

/** "a.b.c.d/n" or "x::/n" with its host bits cleared, as MaxMind's writer reads source data. */
function network (key: string): { bytes: Uint8Array, prefixLength: number } {
  const [text = '', length = ''] = key.split('/')
  const ip = parseIp(text)
  const prefixLength = Number(length)
  if (ip === undefined || !Number.isInteger(prefixLength)) throw new Error(`unreadable network ${key}`)
  const bytes = ip.version === 4 ? new Uint8Array([...new Uint8Array(12), ...ip.bytes]) : ip.bytes.slice()
  const bits = ip.version === 4 ? prefixLength + 96 : prefixLength
  for (let bit = bits; bit < 128; bit++) bytes[bit >> 3] = (bytes[bit >> 3] as number) & ~(0x80 >> (bit & 7))
  return { bytes, prefixLength: bits }
}

/**
 * The first address of every network in a source-data file, with the record that covers it:
 * the last listed network holding the address (MaxMind's writer inserts in file order, later
 * networks replacing earlier ones).
 */
function probes (name: string): Probe[] {
  const entries = JSON.parse(readFileSync(join(shared, 'source-data', `${name}.json`), 'utf8')) as Array<Record<string, Json>>
  const networks = entries.map((entry) => {
    const [key, record] = Object.entries(entry)[0] as [string, Json]
    return { key, ...network(key), record }
  })
  const out: Probe[] = []
  for (const { key, bytes } of networks) {
    let covering: Json | undefined
    for (const other of networks) if (bytesMatchPrefix(bytes, other.bytes, other.prefixLength)) covering = other.record
    const isIPv4 = bytes.subarray(0, 12).every((b) => b === 0) && key.includes('.')
    const address = isIPv4 ? formatIPv4(bytes.subarray(12)) : formatIPv6(bytes)
    const ip = normalizeIp(address)
    if (!ip.ok || ip.isPrivate || covering === undefined) continue
    out.push({ address, record: covering })
  }
  return out
}

const db = (name: string): string => join(shared, 'test-data', `${name}.mmdb`)

async function open (options: IpIntelOptions): Promise<{ lookup: (ip: string) => IpSignals }> {
  const intel = await createIpIntel(options)
  t.teardown(() => intel.close())
  return intel
}

const flag = (record: Json, name: string): boolean => record[name] === true

if (!existsSync(shared)) {
  t.plan(0, 'MaxMind test databases not found at ../shared/maxmind-test: compatibility test skipped')
} else {
  t.test('GeoIP2-Anonymous-IP: the documented addresses', async (t) => {
    const intel = await open({ anonymousDb: db('GeoIP2-Anonymous-IP-Test') })
    t.match(intel.lookup('81.2.69.160'), { is_anonymous: true, is_vpn: true, is_hosting: true, is_proxy: true, is_residential_proxy: true, is_tor: true })
    t.match(intel.lookup('1.124.213.1'), { is_anonymous: true, is_vpn: true, is_tor: true, is_hosting: false, is_proxy: false })
    t.match(intel.lookup('71.160.223.1'), { is_anonymous: true, is_hosting: true, is_vpn: false, is_tor: false })
    t.match(intel.lookup('186.30.236.5'), { is_anonymous: true, is_proxy: true, is_vpn: false })
    t.same(intel.lookup('8.8.8.8'), {
      address: '8.8.8.8',
      version: 4,
      is_private: false,
      is_vpn: false,
      is_proxy: false,
      is_residential_proxy: false,
      is_tor: false,
      is_hosting: false,
      is_anonymous: false
    }, 'an empty record: no flag')
  })

  for (const name of ['GeoIP2-Anonymous-IP-Test', 'GeoIP2-IP-Risk-Test', 'GeoIP-Anonymous-Plus-Test']) {
    t.test(`${name}: every network`, async (t) => {
      const intel = await open({ anonymousDb: db(name) })
      const list = probes(name)
      t.ok(list.length > 5, `${list.length} networks`)
      for (const { address, record } of list) {
        const got = intel.lookup(address)
        const anyFlag = ['is_anonymous_vpn', 'is_hosting_provider', 'is_public_proxy', 'is_residential_proxy', 'is_tor_exit_node'].some((f) => flag(record, f))
        const want: Partial<IpSignals> = {
          is_vpn: flag(record, 'is_anonymous_vpn'),
          is_proxy: flag(record, 'is_public_proxy'),
          is_residential_proxy: flag(record, 'is_residential_proxy'),
          is_tor: flag(record, 'is_tor_exit_node'),
          is_hosting: flag(record, 'is_hosting_provider'),
          is_anonymous: flag(record, 'is_anonymous') || anyFlag
        }
        if (typeof record.ip_risk === 'number') want.risk = record.ip_risk
        t.match(got, want, `${address} ${JSON.stringify(record)}`)
        if (typeof record.ip_risk !== 'number') t.notOk('risk' in got, `${address}: no risk`)
      }
    })
  }

  t.test('GeoIP2-IP-Risk: 214.2.3.5', async (t) => {
    const intel = await open({ anonymousDb: db('GeoIP2-IP-Risk-Test') })
    t.match(intel.lookup('214.2.3.5'), { risk: 90, is_tor: true, is_residential_proxy: true, is_vpn: true, is_anonymous: true })
  })

  t.test('GeoIP-Residential-Proxy: a record means a residential proxy', async (t) => {
    const intel = await open({ anonymousDb: db('GeoIP-Residential-Proxy-Test') })
    t.match(intel.lookup('1.2.0.4'), { is_residential_proxy: true, is_anonymous: true, is_vpn: false })
    t.match(intel.lookup('8.8.8.8'), { is_residential_proxy: false, is_anonymous: false })
  })

  for (const name of ['GeoLite2-ASN-Test', 'GeoIP2-ISP-Test']) {
    t.test(`${name}: every network`, async (t) => {
      const intel = await open({ asnDb: db(name) })
      const list = probes(name)
      t.ok(list.length > 100, `${list.length} networks`)
      for (const { address, record } of list) {
        const got = intel.lookup(address)
        const asn = typeof record.autonomous_system_number === 'number' ? record.autonomous_system_number : undefined
        const org = [record.autonomous_system_organization, record.organization, record.isp]
          .find((v): v is string => typeof v === 'string' && v !== '')
        t.equal(got.asn, asn, `${address} asn`)
        t.equal(got.as_org, org, `${address} organization`)
      }
    })
  }

  t.test('GeoLite2-ASN: the documented addresses', async (t) => {
    const intel = await open({ asnDb: db('GeoLite2-ASN-Test') })
    t.match(intel.lookup('1.128.0.1'), { asn: 1221, as_org: 'Telstra Pty Ltd' })
    const noOrg = intel.lookup('12.81.96.1')
    t.equal(noOrg.asn, 7018)
    t.notOk('as_org' in noOrg)
  })

  for (const name of ['GeoIP2-City-Test', 'GeoIP2-Country-Test', 'GeoLite2-City-Test', 'GeoLite2-Country-Test', 'GeoIP2-Enterprise-Test']) {
    t.test(`${name}: every network`, async (t) => {
      const intel = await open({ countryDb: db(name) })
      const list = probes(name)
      t.ok(list.length > 5, `${list.length} networks`)
      for (const { address, record } of list) {
        const iso = (key: string): string | undefined => {
          const v = (record[key] as Json | undefined)?.iso_code
          return typeof v === 'string' ? v : undefined
        }
        t.equal(intel.lookup(address).country, iso('country') ?? iso('registered_country'), address)
      }
    })
  }

  for (const name of ['GeoIP2-Enterprise-Test', 'GeoIP2-Precision-Enterprise-Test']) {
    t.test(`${name} as the ASN database: every network's traits`, async (t) => {
      const intel = await open({ asnDb: db(name) })
      const list = probes(name)
      t.ok(list.length > 5, `${list.length} networks`)
      for (const { address, record } of list) {
        const traits = (record.traits ?? {}) as Json
        const asn = typeof traits.autonomous_system_number === 'number' ? traits.autonomous_system_number : undefined
        const org = [traits.autonomous_system_organization, traits.organization, traits.isp]
          .find((v): v is string => typeof v === 'string' && v !== '')
        const got = intel.lookup(address)
        t.equal(got.asn, asn, `${address} asn`)
        t.equal(got.as_org, org, `${address} organization`)
      }
    })
  }

  for (const name of ['GeoIP2-City-Shield-Test', 'GeoIP2-Country-Shield-Test', 'GeoIP2-Enterprise-Shield-Test', 'GeoIP2-Precision-Enterprise-Shield-Test']) {
    t.test(`${name}: accepted as a country database`, async (t) => {
      const intel = await open({ countryDb: db(name) })
      t.match(intel.lookup('81.2.69.160'), { address: '81.2.69.160', is_private: false })
    })
  }

  t.test('GeoIP2-Connection-Type: every network, as MaxMind gives it', async (t) => {
    const intel = await open({ connectionTypeDb: db('GeoIP2-Connection-Type-Test') })
    const list = probes('GeoIP2-Connection-Type-Test')
    t.ok(list.length > 5, `${list.length} networks`)
    const seen = new Set<unknown>()
    for (const { address, record } of list) {
      seen.add(record.connection_type)
      t.equal(intel.lookup(address).connection_type, record.connection_type, `${address} ${JSON.stringify(record)}`)
    }
    t.same([...seen].sort(), ['Cable/DSL', 'Cellular', 'Corporate', 'Satellite'], 'the four values MaxMind documents')
    t.notOk('connection_type' in intel.lookup('8.8.8.8'), 'no record: unknown')
  })

  t.test('GeoIP2-Enterprise as the connection type database: its traits', async (t) => {
    const intel = await open({ connectionTypeDb: db('GeoIP2-Enterprise-Test') })
    for (const { address, record } of probes('GeoIP2-Enterprise-Test')) {
      const traits = (record.traits ?? {}) as Json
      t.equal(intel.lookup(address).connection_type, traits.connection_type, address)
    }
  })

  // Given in place of another database, a Connection-Type database is refused at start, so it
  // never answers "not a VPN" or "no country" for every address.
  t.test('GeoIP2-Connection-Type: refused in every other role, with the reason', async (t) => {
    const file = db('GeoIP2-Connection-Type-Test')
    await t.rejects(createIpIntel({ anonymousDb: file }), /anonymous database .* is a GeoIP2-Connection-Type database: expected an Anonymous-IP, IP-Risk, Anonymous-Plus or Residential-Proxy database/)
    await t.rejects(createIpIntel({ countryDb: file }), /country database .* is a GeoIP2-Connection-Type database: expected a City, Country or Enterprise database/)
    await t.rejects(createIpIntel({ asnDb: file }), /asn database .* is a GeoIP2-Connection-Type database: expected an ASN, ISP or Enterprise database/)
    await t.rejects(createIpIntel({ connectionTypeDb: db('GeoIP2-City-Test') }), /connection_type database .* is a GeoIP2-City database: expected a Connection-Type or Enterprise database/)
  })

  for (const name of ['GeoIP2-City-Test', 'GeoLite2-City-Test']) {
    t.test(`${name}: a location for every network that names a city, none for the others`, async (t) => {
      const intel = await createIpIntel({ countryDb: db(name) })
      t.teardown(() => intel.close())
      t.ok(intel.locates)
      let located = 0
      for (const { address, record } of probes(name)) {
        const location = record.location as Json | undefined
        const got = intel.lookupWithLocation(address).location
        if (record.city !== undefined && typeof location?.latitude === 'number') {
          located++
          t.same(got, { latitude: location.latitude, longitude: location.longitude }, address)
        } else {
          t.equal(got, undefined, `${address}: no city, no location`)
        }
      }
      t.ok(located > 3, `${located} located networks`)
    })
  }

  t.test('a database in the wrong role is refused', async (t) => {
    await t.rejects(createIpIntel({ anonymousDb: db('GeoIP2-City-Test') }), /is a GeoIP2-City database: expected an Anonymous-IP/)
    await t.rejects(createIpIntel({ countryDb: db('GeoLite2-ASN-Test') }), /is a GeoLite2-ASN database: expected a City, Country or Enterprise/)
    await t.rejects(createIpIntel({ asnDb: db('GeoIP2-Anonymous-IP-Test') }), /is a GeoIP2-Anonymous-IP database: expected an ASN, ISP or Enterprise/)
  })

  t.test('MaxMind\'s damaged test databases are refused', async (t) => {
    await t.rejects(createIpIntel({ countryDb: db('GeoIP2-City-Test-Invalid-Node-Count') }), /is damaged: the search tree is longer than the file/)
    await t.rejects(createIpIntel({ countryDb: db('MaxMind-DB-test-broken-pointers-24') }), /is damaged: search tree node \d+ points outside the file/)
  })

  t.test('GeoIP2-City: the documented addresses', async (t) => {
    const intel = await open({ countryDb: db('GeoIP2-City-Test') })
    t.equal(intel.lookup('81.2.69.160').country, 'GB', 'country, not the registered country (US)')
    t.equal(intel.lookup('2001:218::1').country, 'JP')
    t.equal(intel.lookup('::ffff:81.2.69.160').country, 'GB')
  })

  t.test('everything at once, with provenance', async (t) => {
    const intel = await createIpIntel({
      countryDb: db('GeoIP2-City-Test'),
      asnDb: db('GeoLite2-ASN-Test'),
      anonymousDb: db('GeoIP2-Anonymous-IP-Test')
    })
    t.teardown(() => intel.close())
    t.same(intel.sources.map((s) => s.database_type), ['GeoIP2-City', 'GeoLite2-ASN', 'GeoIP2-Anonymous-IP'])
    for (const s of intel.sources) t.ok(s.built_at.startsWith('20'), `${s.database_type} built ${s.built_at}`)
    t.match(intel.lookup('81.2.69.160'), { country: 'GB', is_tor: true, is_anonymous: true })
  })
}
