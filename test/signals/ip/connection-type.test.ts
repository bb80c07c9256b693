import t from 'tap'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspectDataSources } from '../../../src/data/status.js'
import { createIpIntel } from '../../../src/signals/ip/ip-intel.js'
import { buildMmdb, readBack, writeMmdb } from '../../helpers/mmdb-fixtures.js'
import type { FixtureEntries } from '../../helpers/mmdb-fixtures.js'

const BUILT = new Date('2026-11-20T00:00:00Z')
const CONNECTION_TYPE = { databaseType: 'GeoIP2-Connection-Type', buildEpoch: BUILT, languages: [] }

/** MaxMind's four values, a network each, and one network without a record's field */
const ENTRIES: FixtureEntries = [
  ['1.0.0.0/24', { connection_type: 'Cable/DSL' }],
  ['1.0.1.0/24', { connection_type: 'Cellular' }],
  ['81.2.69.0/24', { connection_type: 'Corporate' }],
  ['67.43.156.0/24', { connection_type: 'Satellite' }],
  ['2001:218::/32', { connection_type: 'Cellular' }],
  ['5.5.5.0/24', {}],
  ['192.168.0.0/16', { connection_type: 'Corporate' }]
]

t.test('a Connection-Type database from riskgate\'s writer reads back with the maxmind reader', async (t) => {
  const reader = readBack(CONNECTION_TYPE, ENTRIES)
  t.equal(reader.metadata.databaseType, 'GeoIP2-Connection-Type')
  t.same(reader.get('1.0.0.7'), { connection_type: 'Cable/DSL' })
  t.same(reader.get('1.0.1.200'), { connection_type: 'Cellular' })
  t.same(reader.get('81.2.69.160'), { connection_type: 'Corporate' })
  t.same(reader.get('67.43.156.1'), { connection_type: 'Satellite' })
  t.same(reader.get('2001:218::1'), { connection_type: 'Cellular' })
  t.equal(reader.get('9.9.9.9'), null)
})

t.test('ip.connection_type: as MaxMind gives it, unknown when the database has no answer', async (t) => {
  const dir = t.testdir()
  const intel = await createIpIntel({ connectionTypeDb: writeMmdb(dir, 'ct.mmdb', CONNECTION_TYPE, ENTRIES) })
  t.teardown(() => intel.close())
  const cases: Array<[string, string | undefined]> = [
    ['1.0.0.7', 'Cable/DSL'],
    ['1.0.1.200', 'Cellular'],
    ['81.2.69.160', 'Corporate'],
    ['67.43.156.1', 'Satellite'],
    ['2001:218::1', 'Cellular'],
    ['::ffff:1.0.1.1', 'Cellular'],
    ['5.5.5.5', undefined],
    ['9.9.9.9', undefined],
    // private addresses are never looked up (the fixture maps 192.168/16 on purpose)
    ['192.168.1.1', undefined]
  ]
  for (const [address, expected] of cases) {
    const signals = intel.lookup(address)
    if (expected === undefined) t.notOk('connection_type' in signals, `${address}: unknown`)
    else t.equal(signals.connection_type, expected, address)
  }
  t.match(intel.sources, [{ name: 'connection_type', kind: 'mmdb', database_type: 'GeoIP2-Connection-Type', built_at: BUILT.toISOString() }])
  t.same(intel.files, [{ role: 'connection_type', path: join(dir, 'ct.mmdb') }])
})

t.test('an Enterprise database gives the connection type of its traits', async (t) => {
  const dir = t.testdir()
  const path = writeMmdb(dir, 'enterprise.mmdb', { databaseType: 'GeoIP2-Enterprise', buildEpoch: BUILT, languages: ['en'] }, [
    ['81.2.69.0/24', { country: { iso_code: 'GB' }, traits: { connection_type: 'Corporate' } }],
    ['2.125.160.0/24', { country: { iso_code: 'GB' } }]
  ])
  const intel = await createIpIntel({ connectionTypeDb: path })
  t.teardown(() => intel.close())
  t.equal(intel.lookup('81.2.69.160').connection_type, 'Corporate')
  t.notOk('connection_type' in intel.lookup('2.125.160.216'))
})

t.test('another MaxMind database given as the connection type database is refused, naming the file', async (t) => {
  const dir = t.testdir()
  const city = writeMmdb(dir, 'city.mmdb', { databaseType: 'GeoLite2-City', buildEpoch: BUILT }, [['81.2.69.0/24', { country: { iso_code: 'GB' } }]])
  await t.rejects(createIpIntel({ connectionTypeDb: city }), /connection_type database .*city\.mmdb is a GeoLite2-City database: expected a Connection-Type or Enterprise database/)
  await t.rejects(createIpIntel({ connectionTypeDb: join(dir, 'missing.mmdb') }), /connection_type database .*missing\.mmdb: file not found/)
  const ct = writeMmdb(dir, 'ct.mmdb', CONNECTION_TYPE, ENTRIES)
  await t.rejects(createIpIntel({ anonymousDb: ct }), /is a GeoIP2-Connection-Type database: expected an Anonymous-IP/, 'nor is it taken as another role')
})

t.test('a replaced Connection-Type database is swapped in by reload; a broken one is refused', async (t) => {
  const dir = t.testdir()
  const path = writeMmdb(dir, 'ct.mmdb', CONNECTION_TYPE, ENTRIES)
  const intel = await createIpIntel({ connectionTypeDb: path })
  t.teardown(() => intel.close())
  t.equal(intel.lookup('1.0.0.7').connection_type, 'Cable/DSL')

  writeFileSync(`${path}.tmp`, buildMmdb({ ...CONNECTION_TYPE, buildEpoch: new Date('2026-12-01T00:00:00Z') }, [['1.0.0.0/24', { connection_type: 'Cellular' }]]))
  renameSync(`${path}.tmp`, path)
  t.match(await intel.reload([path]), [{ role: 'connection_type', status: 'reloaded' }])
  t.equal(intel.lookup('1.0.0.7').connection_type, 'Cellular', 'the new data answers (the address cache starts afresh)')
  t.notOk('connection_type' in intel.lookup('81.2.69.160'))

  writeFileSync(path, 'not a database')
  t.match(await intel.reload([path]), [{ role: 'connection_type', status: 'refused', error: /not a MaxMind DB file/ }])
  t.equal(intel.lookup('1.0.0.8').connection_type, 'Cellular', 'the data loaded before keeps answering')
})

t.test('riskgate data status reports the connection type database', async (t) => {
  const dir = t.testdir()
  const path = writeMmdb(dir, 'ct.mmdb', CONNECTION_TYPE, ENTRIES)
  const status = await inspectDataSources({ connectionTypeDb: path }, BUILT.getTime() + 86_400_000)
  t.match(status.sources, [{ role: 'connection_type', kind: 'mmdb', state: 'ok', database_type: 'GeoIP2-Connection-Type', age_days: 1 }])
  t.notOk(status.unconfigured.includes('connection_type'))
  t.ok((await inspectDataSources({}, 0)).unconfigured.includes('connection_type'), 'unconfigured: said so')
})
