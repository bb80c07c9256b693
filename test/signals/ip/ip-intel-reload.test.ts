import t from 'tap'
import { readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createIpIntel } from '../../../src/signals/ip/ip-intel.js'
import { buildMmdb, writeMmdb } from '../../helpers/mmdb-fixtures.js'

const V1 = new Date('2026-11-01T00:00:00Z')
const V2 = new Date('2026-11-15T00:00:00Z')

function countryDb (country: string, built: Date): Buffer {
  return buildMmdb({ databaseType: 'GeoLite2-Country', buildEpoch: built }, [['81.2.69.0/24', { country: { iso_code: country } }]])
}

/** write beside, then rename over: what a careful updater does */
function replace (path: string, content: string | Buffer): void {
  writeFileSync(`${path}.tmp`, content)
  renameSync(`${path}.tmp`, path)
}

t.test('reload swaps a replaced database in; the files and stamps are listed', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const country = join(dir, 'country.mmdb')
  writeFileSync(country, countryDb('GB', V1))
  const intel = await createIpIntel({ countryDb: country, torExitsFile: join(dir, 'tor.txt') })
  t.teardown(() => intel.close())
  t.same(intel.files, [{ role: 'country', path: country }, { role: 'tor_exits', path: join(dir, 'tor.txt') }])
  const before = intel.sources
  t.equal(intel.lookup('81.2.69.160').country, 'GB')

  replace(country, countryDb('FR', V2))
  const outcomes = await intel.reload([country])
  t.match(outcomes, [{ role: 'country', path: country, status: 'reloaded', source: { built_at: V2.toISOString() } }])
  t.equal(intel.lookup('81.2.69.160').country, 'FR')
  t.equal(intel.sources[0]?.built_at, V2.toISOString())
  t.not(intel.sources[0]?.stamp, before[0]?.stamp, 'a new file, a new stamp')
  t.equal(intel.sources[1], before[1], 'the Tor list was not touched')
  t.equal(before[0]?.built_at, V1.toISOString(), 'a sources array already handed out does not change')
})

t.test('a truncated database is refused and the old one answers', async (t) => {
  const dir = t.testdir()
  const country = join(dir, 'country.mmdb')
  writeFileSync(country, countryDb('GB', V1))
  const intel = await createIpIntel({ countryDb: country })
  t.teardown(() => intel.close())

  const size = readFileSync(country).length
  for (const length of [0, 40, Math.floor(size / 2), size - 20]) {
    writeFileSync(country, countryDb('FR', V2))
    truncateSync(country, length)
    const [outcome] = await intel.reload()
    t.match(outcome, { role: 'country', status: 'refused', error: /country database .*country\.mmdb (is not a MaxMind DB file|is damaged)/ }, `truncated to ${length} bytes`)
    t.equal(intel.lookup('81.2.69.160').country, 'GB', 'the old data still answers')
    t.equal(intel.sources[0]?.built_at, V1.toISOString())
  }
  t.equal(intel.refused.length, 1, 'one refusal per file: the last one')
  t.match(intel.refused[0], { role: 'country', path: country, at: String, error: /country\.mmdb/ })

  replace(country, countryDb('FR', V2))
  t.match(await intel.reload(), [{ status: 'reloaded' }])
  t.equal(intel.lookup('81.2.69.160').country, 'FR')
  t.same(intel.refused, [], 'a good file clears the refusal')
})

t.test('a damaged search tree or data section is refused', async (t) => {
  const dir = t.testdir()
  const country = join(dir, 'country.mmdb')
  const good = countryDb('GB', V1)
  writeFileSync(country, good)
  const intel = await createIpIntel({ countryDb: country })
  t.teardown(() => intel.close())

  const damaged = Buffer.from(good)
  damaged.fill(0xff, 0, Math.min(64, damaged.length)) // the search tree now points outside the file
  replace(country, damaged)
  const [outcome] = await intel.reload()
  t.equal(outcome?.status, 'refused')
  t.equal(intel.lookup('81.2.69.160').country, 'GB')
})

t.test('a missing file is refused, then loaded when it is back', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const tor = join(dir, 'tor.txt')
  const intel = await createIpIntel({ torExitsFile: tor })
  t.teardown(() => intel.close())
  rmSync(tor)
  t.match(await intel.reload(), [{ status: 'refused', error: /tor exit list .*tor\.txt: file not found/ }])
  t.equal(intel.lookup('185.220.101.1').is_tor, true)
  writeFileSync(tor, '185.220.101.2\n')
  t.match(await intel.reload(), [{ status: 'reloaded', source: { entries: 1 } }])
  t.equal(intel.lookup('185.220.101.1').is_tor, false)
  t.equal(intel.lookup('185.220.101.2').is_tor, true)
})

t.test('a garbage list is refused, naming the line', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const tor = join(dir, 'tor.txt')
  const intel = await createIpIntel({ torExitsFile: tor })
  t.teardown(() => intel.close())
  replace(tor, '185.220.101.2\n<html><body>rate limited</body></html>\n')
  t.match(await intel.reload([tor]), [{ status: 'refused', error: /tor\.txt:2/ }])
  t.equal(intel.lookup('185.220.101.1').is_tor, true)
  t.equal(intel.lookup('185.220.101.2').is_tor, false)
})

t.test('hosting lists: one file reloads, the others stay as they were', async (t) => {
  const dir = t.testdir({ 'bundled.txt': '16509 # AWS\n', 'ops.txt': '198.51.0.0/16\n' })
  const bundled = join(dir, 'bundled.txt')
  const ops = join(dir, 'ops.txt')
  const asn = writeMmdb(dir, 'asn.mmdb', { databaseType: 'GeoLite2-ASN', buildEpoch: V1 }, [
    ['3.0.0.0/9', { autonomous_system_number: 16509 }],
    ['5.9.0.0/16', { autonomous_system_number: 24940 }],
    ['198.51.0.0/16', { autonomous_system_number: 64500 }]
  ])
  const intel = await createIpIntel({ asnDb: asn, hostingAsnFiles: [bundled, ops] })
  t.teardown(() => intel.close())
  t.equal(intel.lookup('198.51.7.7').is_hosting, true)
  t.equal(intel.lookup('5.9.1.1').is_hosting, false)

  replace(ops, '24940 # Hetzner\n')
  t.match(await intel.reload([ops]), [{ role: 'hosting', path: ops, status: 'reloaded' }])
  t.equal(intel.lookup('5.9.1.1').is_hosting, true, 'the new list')
  t.equal(intel.lookup('198.51.7.7').is_hosting, false, 'its old network is gone')
  t.equal(intel.lookup('3.5.1.1').is_hosting, true, 'the other list is still merged in')
  t.same(intel.sources.map((s) => [s.name, s.path, s.entries]), [['asn', asn, undefined], ['hosting', bundled, 1], ['hosting', ops, 1]])

  replace(bundled, 'AS-not-a-number\n')
  t.match(await intel.reload(), [{ status: 'reloaded' }, { path: bundled, status: 'refused', error: /bundled\.txt:1/ }, { path: ops, status: 'reloaded' }])
  t.equal(intel.lookup('3.5.1.1').is_hosting, true, 'the refused list keeps its old entries')
})

t.test('concurrent reloads run one at a time and all land', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const tor = join(dir, 'tor.txt')
  const country = join(dir, 'country.mmdb')
  writeFileSync(country, countryDb('GB', V1))
  const intel = await createIpIntel({ countryDb: country, torExitsFile: tor })
  t.teardown(() => intel.close())
  replace(country, countryDb('FR', V2))
  replace(tor, '185.220.101.9\n')
  await Promise.all([intel.reload([country]), intel.reload([tor]), intel.reload([country])])
  t.equal(intel.lookup('81.2.69.160').country, 'FR')
  t.equal(intel.lookup('185.220.101.9').is_tor, true, 'no reload lost the other one\'s swap')
})

t.test('after close, reload does nothing', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const intel = await createIpIntel({ torExitsFile: join(dir, 'tor.txt') })
  await intel.close()
  t.same(await intel.reload(), [])
  t.same(intel.sources, [])
})
