import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Reader } from 'maxmind'
import { ASN_DATABASE_TYPE, AsnCsvError, buildAsnMmdb, buildEpochFromPackageVersion, compileAsnCsv } from '../../src/mmdb/build-asn.js'

const IPV4 = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd',
  '1.0.128.0,1.0.196.255,23969,TOT Public Company Limited', // not a CIDR: 1.0.128.0/18 + 1.0.192.0/22 + ...
  '2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""',
  '5.0.0.0,5.0.0.255,0,Not routed',
  '6.0.0.0,6.0.0.255,7018,',
  '8.8.8.0,8.8.8.255,15169,Google LLC',
  '8.8.8.128,8.8.9.255,15169,Google LLC' // overlaps the row before
].join('\n') + '\n'

const IPV6 = [
  '2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC',
  '2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project',
  '2600:1f00::,2600:1fff:ffff:ffff:ffff:ffff:ffff:ffff,16509,"Amazon.com, Inc."'
].join('\r\n')

t.test('compiles ASN CSV files into one GeoLite2-ASN-shaped database', async (t) => {
  const dir = t.testdir({ 'asn-ipv4.csv': IPV4, 'asn-ipv6.csv': IPV6 })
  const output = join(dir, 'build', 'nested', 'asn.mmdb')
  const buildEpoch = new Date('2026-06-17T19:00:00Z')
  const result = await buildAsnMmdb({ csvFiles: [join(dir, 'asn-ipv4.csv'), join(dir, 'asn-ipv6.csv')], output, buildEpoch })
  t.equal(result.rows, 10, 'AS0 rows are skipped')
  t.equal(result.overlaps, 1)
  t.ok(result.networks > result.rows, 'ranges that are not CIDR blocks become several networks')
  t.equal(result.dataRecords, 9, 'one record per distinct (asn, organization)')

  const reader = new Reader(readFileSync(output))
  t.equal(reader.metadata.databaseType, ASN_DATABASE_TYPE)
  t.equal(reader.metadata.ipVersion, 6)
  t.equal(reader.metadata.buildEpoch.toISOString(), buildEpoch.toISOString())
  const cases: Array<[string, unknown]> = [
    ['1.0.0.1', { autonomous_system_number: 13335, autonomous_system_organization: 'Cloudflare, Inc.' }],
    ['1.0.7.255', { autonomous_system_number: 38803, autonomous_system_organization: 'Gtelecom Pty Ltd' }],
    ['1.0.8.0', null],
    ['1.0.128.0', { autonomous_system_number: 23969, autonomous_system_organization: 'TOT Public Company Limited' }],
    ['1.0.196.255', { autonomous_system_number: 23969, autonomous_system_organization: 'TOT Public Company Limited' }],
    ['1.0.197.0', null],
    ['2.26.210.1', { autonomous_system_number: 201907, autonomous_system_organization: 'LLC "SPUTNIK"' }],
    ['5.0.0.1', null],
    ['6.0.0.1', { autonomous_system_number: 7018 }],
    ['8.8.9.1', { autonomous_system_number: 15169, autonomous_system_organization: 'Google LLC' }],
    ['2001::1', { autonomous_system_number: 6939, autonomous_system_organization: 'Hurricane Electric LLC' }],
    ['2001:200:1b9:ffff::1', { autonomous_system_number: 2500, autonomous_system_organization: 'WIDE Project' }],
    ['2001:200:1ba::', null],
    ['2600:1f18::1', { autonomous_system_number: 16509, autonomous_system_organization: 'Amazon.com, Inc.' }]
  ]
  for (const [ip, want] of cases) t.same(reader.get(ip), want, ip)
})

t.test('the same input gives the same bytes', async (t) => {
  const dir = t.testdir({ 'a.csv': IPV4 })
  const options = { csvFiles: [join(dir, 'a.csv')], buildEpoch: new Date('2026-01-01T00:00:00Z') }
  const first = await compileAsnCsv(options)
  const second = await compileAsnCsv(options)
  t.ok(first.buffer.equals(second.buffer))
})

t.test('a malformed row names its file and line', async (t) => {
  const rows: Array<[string, RegExp]> = [
    ['1.0.0.0,1.0.0.255,13335', /:2: expected 4 fields/],
    ['1.0.0.0,1.0.0.255,AS13335,x', /:2: not an AS number/],
    ['1.0.0.0,1.0.0.300,13335,x', /:2: not an IPv4 range/],
    ['1.0.0.9,1.0.0.1,13335,x', /:2: range start after range end/],
    ['2001::,zz::,1,x', /:2: not an IPv6 range/],
    ['1.0.0.0,1.0.0.255,1,"open', /:2: expected 4 fields/]
  ]
  for (const [row, message] of rows) {
    const dir = t.testdir({ 'bad.csv': `# comment\n${row}\n` })
    await t.rejects(compileAsnCsv({ csvFiles: [join(dir, 'bad.csv')], buildEpoch: new Date(0) }), message, row)
    await t.rejects(compileAsnCsv({ csvFiles: [join(dir, 'bad.csv')], buildEpoch: new Date(0) }), AsnCsvError)
  }
})

t.test('a failed write leaves no partial file', async (t) => {
  const dir = t.testdir({ 'a.csv': IPV4, taken: { 'asn.mmdb': { 'a-directory': 'so rename fails' } } })
  await t.rejects(buildAsnMmdb({ csvFiles: [join(dir, 'a.csv')], output: join(dir, 'taken', 'asn.mmdb'), buildEpoch: new Date(0) }))
  t.same(readdirSync(join(dir, 'taken')).sort(), ['asn.mmdb'], 'no temporary file left')
})

t.test('the data date comes from the package version', async (t) => {
  t.equal(buildEpochFromPackageVersion('2.3.2026061719')?.toISOString(), '2026-06-17T19:00:00.000Z')
  t.equal(buildEpochFromPackageVersion('2026010100')?.toISOString(), '2026-01-01T00:00:00.000Z')
  t.equal(buildEpochFromPackageVersion('2.3.2026133119'), undefined, 'month 13')
  t.equal(buildEpochFromPackageVersion('2.3.2026022924'), undefined, 'hour 24')
  t.equal(buildEpochFromPackageVersion('1.2.3'), undefined)
})
