import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Reader } from 'maxmind'
import { openMmdbFile, roleMismatch } from '../../../src/signals/ip/mmdb-file.js'
import { buildMmdb, writeMmdb } from '../../helpers/mmdb-fixtures.js'

const BUILT = new Date('2026-11-01T00:00:00Z')

t.test('MaxMind database types are checked against the role; other vendors\' are accepted', async (t) => {
  for (const type of ['GeoIP2-City', 'GeoLite2-City', 'GeoIP2-Country', 'GeoLite2-Country', 'GeoIP2-Enterprise', 'GeoIP2-Precision-Enterprise', 'GeoIP2-City-Shield', 'GeoIP2-City-Europe', 'country ipvAll', 'riskgate-ASN', '']) {
    t.equal(roleMismatch('country', type), undefined, `country: ${type}`)
  }
  for (const type of ['GeoLite2-ASN', 'GeoIP2-ISP', 'GeoIP2-Enterprise', 'riskgate-ASN']) t.equal(roleMismatch('asn', type), undefined, `asn: ${type}`)
  for (const type of ['GeoIP2-Anonymous-IP', 'GeoIP2-IP-Risk', 'GeoIP-Anonymous-Plus', 'GeoIP-Residential-Proxy', 'Example-Anonymizer']) {
    t.equal(roleMismatch('anonymous', type), undefined, `anonymous: ${type}`)
  }
  t.match(roleMismatch('anonymous', 'GeoIP2-Connection-Type'), /expected an Anonymous-IP/)
  t.match(roleMismatch('anonymous', 'GeoIP2-City'), /expected an Anonymous-IP/)
  t.match(roleMismatch('country', 'GeoLite2-ASN'), /expected a City, Country or Enterprise/)
  t.match(roleMismatch('country', 'GeoIP2-Connection-Type'), /expected a City/)
  t.match(roleMismatch('asn', 'GeoIP2-Domain'), /expected an ASN, ISP or Enterprise/)
  t.match(roleMismatch('asn', 'GeoLite2-Country'), /expected an ASN/)
})

t.test('a Connection-Type database given as the anonymizer database is refused at load', async (t) => {
  const dir = t.testdir()
  const path = writeMmdb(dir, 'ct.mmdb', { databaseType: 'GeoIP2-Connection-Type', buildEpoch: BUILT }, [['1.0.0.0/24', { connection_type: 'Cable/DSL' }]])
  await t.rejects(openMmdbFile(path, 'anonymous'), { name: 'IpDataError', message: /anonymous database .*ct\.mmdb is a GeoIP2-Connection-Type database: expected an Anonymous-IP/ })
})

t.test('damaged files are refused with what is wrong', async (t) => {
  const dir = t.testdir()
  const good = buildMmdb({ databaseType: 'GeoLite2-Country', buildEpoch: BUILT }, [['81.2.69.0/24', { country: { iso_code: 'GB' } }]])
  const file = join(dir, 'x.mmdb')

  const metadataStart = good.lastIndexOf(Buffer.from('MaxMind.com')) - 3
  writeFileSync(file, good.subarray(0, metadataStart + 5))
  await t.rejects(openMmdbFile(file, 'country'), /not a MaxMind DB file: no metadata section \(truncated or another format\)/)
  writeFileSync(file, good.subarray(0, good.length - 30))
  await t.rejects(openMmdbFile(file, 'country'), /not a MaxMind DB file: /, 'metadata cut short')

  const noSeparator = Buffer.from(good)
  const treeEnd = good.indexOf(Buffer.alloc(16))
  noSeparator.fill(0x41, treeEnd, treeEnd + 16)
  writeFileSync(file, noSeparator)
  await t.rejects(openMmdbFile(file, 'country'), /is damaged: (no data section separator after the search tree|looking up)/)

  // a tree record pointing into the separator, or past the data section (24-bit records)
  const { nodeCount } = new Reader(good).metadata
  for (const record of [nodeCount + 5, 0xfffffe]) {
    const badPointer = Buffer.from(good)
    badPointer.writeUIntBE(record, 0, 3)
    writeFileSync(file, badPointer)
    await t.rejects(openMmdbFile(file, 'country'), /is damaged: search tree node 0 points outside the file/, `record ${record}`)
  }

  const opened = await openMmdbFile((writeFileSync(file, good), file), 'country')
  t.match(opened.source, { name: 'country', kind: 'mmdb', database_type: 'GeoLite2-Country', built_at: BUILT.toISOString(), stamp: /^\d+:\d+:[\d.]+$/, loaded_at: String })
})
