import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadDataConfig } from '../../src/config/load-config.js'
import { packageVersion } from '../../src/signals/ip/bundled-data.js'
import { createIpIntel } from '../../src/signals/ip/ip-intel.js'
import { buildMmdb } from '../helpers/mmdb-fixtures.js'
import type { FixtureEntries } from '../helpers/mmdb-fixtures.js'
import { runCaptured } from '../helpers/cli-io.js'
import { sha256, sri, tarGz } from '../helpers/tarball.js'

// A local stand-in, on 127.0.0.1, for the npm registry (package metadata and tarballs) and for
// MaxMind's download server (basic auth, archives and their .sha256, a redirect to "storage" on
// another origin, as MaxMind redirects to presigned URLs). Never the internet.

const COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb'
const ASN_PACKAGE = '@ip-location-db/asn'
const ACCOUNT_ID = '424242'
const LICENSE_KEY = 'rgTestLicenseKey_9f3Kq2Zx7Lm4'
const DAY = 86_400_000

/** `2.3.YYYYMMDDHH`, the ip-location-db version scheme, for data of `daysAgo` days ago */
function dataVersion (daysAgo: number): string {
  const d = new Date(Date.now() - daysAgo * DAY)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `2.3.${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}`
}

function countryDb (daysAgo: number, gb = 'GB'): Buffer {
  return buildMmdb({ databaseType: 'geo-whois-asn-country', buildEpoch: new Date(Date.now() - daysAgo * DAY) }, [
    ['81.2.69.0/24', { country_code: gb }],
    ['1.128.0.0/11', { country_code: 'AU' }]
  ])
}

const ASN_V4 = '1.128.0.0,1.159.255.255,1221,Telstra Pty Ltd\n81.2.69.0,81.2.69.255,20712,"Andrews & Arnold, Ltd"\n'
const ASN_V6 = '2600:1f00::,2600:1fff:ffff:ffff:ffff:ffff:ffff:ffff,16509,"Amazon.com, Inc."\n'

function countryTarball (db: Buffer): Buffer {
  return tarGz({ 'package/package.json': JSON.stringify({ name: COUNTRY_PACKAGE }), 'package/geo-whois-asn-country.mmdb': db })
}

function asnTarball (v4 = ASN_V4, v6 = ASN_V6): Buffer {
  return tarGz({ 'package/package.json': JSON.stringify({ name: ASN_PACKAGE }), 'package/asn-ipv4.csv': v4, 'package/asn-ipv6.csv': v6 })
}

function maxmindDb (type: string, entries: FixtureEntries, daysAgo = 3): Buffer {
  return buildMmdb({ databaseType: type, buildEpoch: new Date(Date.now() - daysAgo * DAY), languages: ['en'] }, entries)
}

function maxmindArchive (edition: string, db: Buffer): Buffer {
  return tarGz({ [`${edition}_20261201/COPYRIGHT.txt`]: 'test', [`${edition}_20261201/${edition}.mmdb`]: db })
}

interface Published { version: string, tgz: Buffer, integrity?: string }
const registry = new Map<string, Published>()
const editions = new Map<string, { tgz: Buffer, sha256?: string }>()
const requests: string[] = []
const storageAuth: Array<string | undefined> = []

function send (res: ServerResponse, status: number, body: Buffer | string, type = 'application/octet-stream'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body)
}

async function listen (server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

// "storage": where MaxMind's download server redirects archives to (another origin)
const storage = createServer((req, res) => {
  storageAuth.push(req.headers.authorization)
  const edition = decodeURIComponent((req.url ?? '').slice(1).replace(/\.tar\.gz$/, ''))
  const found = editions.get(edition)
  if (found === undefined) send(res, 404, 'no such object')
  else send(res, 200, found.tgz, 'application/gzip')
})
const storageBase = await listen(storage)

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  requests.push(url.pathname + url.search)
  if (url.pathname.startsWith('/stall/')) {
    res.writeHead(200, { 'content-type': 'application/json' }).write('{"name":') // and never more
    return
  }
  if (url.pathname.startsWith('/registry/')) {
    const name = decodeURIComponent(url.pathname.slice('/registry/'.length))
    const published = registry.get(name)
    if (published === undefined) return send(res, 404, '{"error":"Not found"}', 'application/json')
    const tarball = `${base}/tarballs/${encodeURIComponent(name)}/${published.version}.tgz`
    return send(res, 200, JSON.stringify({
      name,
      'dist-tags': { latest: published.version },
      versions: { [published.version]: { name, version: published.version, dist: { tarball, integrity: published.integrity ?? sri(published.tgz), shasum: 'unused' } } }
    }), 'application/vnd.npm.install-v1+json')
  }
  if (url.pathname.startsWith('/tarballs/')) {
    const name = decodeURIComponent(url.pathname.split('/')[2] ?? '')
    const published = registry.get(name)
    return published === undefined ? send(res, 404, 'not found') : send(res, 200, published.tgz)
  }
  const download = /^\/geoip\/databases\/([^/]+)\/download$/.exec(url.pathname)
  if (download !== null) {
    if (req.headers.authorization !== `Basic ${Buffer.from(`${ACCOUNT_ID}:${LICENSE_KEY}`).toString('base64')}`) {
      return send(res, 401, '{"code":"INVALID_LICENSE_KEY","error":"Invalid license key"}', 'application/json')
    }
    const edition = decodeURIComponent(download[1] ?? '')
    const found = editions.get(edition)
    if (found === undefined) return send(res, 404, '{"code":"NOT_FOUND"}', 'application/json')
    const suffix = url.searchParams.get('suffix')
    if (suffix === 'tar.gz.sha256') return send(res, 200, `${found.sha256 ?? sha256(found.tgz)}  ${edition}_20261201.tar.gz\n`, 'text/plain')
    if (suffix === 'tar.gz') {
      res.writeHead(302, { location: `${storageBase}/${encodeURIComponent(edition)}.tar.gz` }).end()
      return
    }
    return send(res, 400, 'bad suffix')
  }
  send(res, 404, 'not found')
})
const base = await listen(server)
t.teardown(() => {
  for (const s of [server, storage]) {
    s.closeAllConnections()
    s.close()
  }
})

function publishOpenData (daysAgo = 1): { country: Buffer } {
  const country = countryDb(daysAgo)
  registry.set(COUNTRY_PACKAGE, { version: dataVersion(daysAgo), tgz: countryTarball(country) })
  registry.set(ASN_PACKAGE, { version: dataVersion(daysAgo), tgz: asnTarball() })
  return { country }
}

function publishMaxmind (): void {
  editions.set('GeoLite2-Country', { tgz: maxmindArchive('GeoLite2-Country', maxmindDb('GeoLite2-Country', [['81.2.69.0/24', { country: { iso_code: 'GB' } }]])) })
  editions.set('GeoLite2-ASN', { tgz: maxmindArchive('GeoLite2-ASN', maxmindDb('GeoLite2-ASN', [['1.128.0.0/11', { autonomous_system_number: 1221, autonomous_system_organization: 'Telstra Pty Ltd' }]])) })
}

const maxmindEnv = { RISKGATE_MAXMIND_ACCOUNT_ID: ACCOUNT_ID, RISKGATE_MAXMIND_LICENSE_KEY: LICENSE_KEY }

/** a folder with databases in place before the update: what must survive a refused one */
function folderWithOldData (t: Test): { dir: string, env: Record<string, string>, old: Record<string, Buffer> } {
  const dir = t.testdir({ state: {} })
  const old = {
    'geo-whois-asn-country.mmdb': countryDb(100, 'FR'),
    'asn.mmdb': buildMmdb({ databaseType: 'riskgate-ASN', buildEpoch: new Date(Date.now() - 100 * DAY) }, [['1.128.0.0/11', { autonomous_system_number: 64500 }]])
  }
  for (const [file, content] of Object.entries(old)) writeFileSync(join(dir, file), content)
  return { dir, env: { RISKGATE_DEV_STATE_DIR: join(dir, 'state') }, old }
}

function update (args: string[], env: Record<string, string>, cwd?: string): ReturnType<typeof runCaptured> {
  return runCaptured(['data', 'update', '--registry', `${base}/registry`, '--maxmind-url', base, ...args], env, cwd)
}

function noTemporaryFiles (t: Test, dir: string): void {
  t.same(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temporary file or lock left')
}

t.test('open data: downloaded, verified, compiled, swapped in; a second run downloads nothing', async (t) => {
  const { dir, env } = folderWithOldData(t)
  const { country } = publishOpenData(1)
  const run = await update(['--dir', dir], env)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, new RegExp(`^country +updated +${COUNTRY_PACKAGE}@${dataVersion(1)} +built \\d{4}-\\d\\d-\\d\\d +[0-9.]+ KiB +-> .*geo-whois-asn-country\\.mmdb$`, 'm'))
  t.match(run.stdout, /^asn +updated +@ip-location-db\/asn@2\.3\.\d{10} +built \d{4}-\d\d-\d\d .*-> .*asn\.mmdb$/m)
  t.match(run.stdout, new RegExp(`country: RISKGATE_MMDB_COUNTRY=${join(dir, 'geo-whois-asn-country.mmdb')}`), 'the setting that points at the file')
  t.match(run.stdout, new RegExp(`asn: RISKGATE_MMDB_ASN=${join(dir, 'asn.mmdb')}`))
  t.match(run.stdout, /note: no MaxMind account/)
  t.match(run.stdout, /2 updated, 0 already current, 0 refused, 0 failed\n$/)
  t.match(run.stderr, /country: sha512 integrity verified/)
  t.match(run.stderr, /asn: opened with the server's loader \(riskgate-ASN\), swapped in/)
  t.same(readFileSync(join(dir, 'geo-whois-asn-country.mmdb')), country, 'the country database as published')

  const intel = await createIpIntel({ countryDb: join(dir, 'geo-whois-asn-country.mmdb'), asnDb: join(dir, 'asn.mmdb') })
  t.teardown(() => intel.close())
  t.match(intel.lookup('1.128.0.1'), { country: 'AU', asn: 1221, as_org: 'Telstra Pty Ltd' })
  t.match(intel.lookup('81.2.69.1'), { country: 'GB', asn: 20712, as_org: 'Andrews & Arnold, Ltd' })
  t.match(intel.lookup('2600:1f00::1'), { asn: 16509 })
  const asn = intel.sources.find((s) => s.name === 'asn')
  t.equal(asn?.built_at.slice(0, 13), new Date(Date.now() - DAY).toISOString().slice(0, 13), 'build date: the data date in the version')

  const manifest = JSON.parse(readFileSync(join(dir, 'riskgate-data.json'), 'utf8'))
  t.equal(manifest.update_command, `riskgate data update --dir ${dir}`)
  t.match(manifest.files['asn.mmdb'], { role: 'asn', source: 'open', version: dataVersion(1), digest: /^sha512-/ })
  noTemporaryFiles(t, dir)

  requests.length = 0
  const again = await update(['--dir', dir], env)
  t.equal(again.code, 0)
  t.match(again.stdout, /^country +current .*\(geo-whois-asn-country\.mmdb is this release\)$/m)
  t.match(again.stdout, /0 updated, 2 already current/)
  t.same(requests.filter((r) => r.startsWith('/tarballs/')), [], 'no tarball downloaded again')

  const forced = await update(['--dir', dir, '--force'], env)
  t.match(forced.stdout, /2 updated/)
})

t.test('the default folder: used by riskgate instead of the bundled data; the bundled release is not fetched again', async (t) => {
  const dir = t.testdir()
  const env = { RISKGATE_DEV_STATE_DIR: join(dir, 'state') }
  const bundledVersion = packageVersion(ASN_PACKAGE)
  t.equal(packageVersion(COUNTRY_PACKAGE), bundledVersion, 'both bundled packages are of one release')
  registry.set(COUNTRY_PACKAGE, { version: bundledVersion, tgz: countryTarball(countryDb(1)) })
  registry.set(ASN_PACKAGE, { version: bundledVersion, tgz: asnTarball() })
  requests.length = 0
  const same = await update([], env)
  t.equal(same.code, 0, same.stderr)
  t.match(same.stdout, /^asn +current .*\(the bundled data is this release\)$/m)
  t.match(same.stdout, /warning: asn: the newest release .* over the 45-day limit: its publisher has released nothing newer/)
  t.same(requests.filter((r) => r.startsWith('/tarballs/')), [])
  t.notOk(existsSync(join(dir, 'state', 'data', 'asn.mmdb')))

  publishOpenData(2)
  const run = await update([], env)
  t.equal(run.code, 0, run.stderr)
  t.match(run.stdout, /asn: in use \(RISKGATE_MMDB_ASN unset: the updated open data is the default\)/)
  t.notMatch(run.stdout, /warning: asn/)
  const data = loadDataConfig(env)
  t.equal(data.asnDb, join(dir, 'state', 'data', 'asn.mmdb'))
  t.equal(data.countryDb, join(dir, 'state', 'data', 'geo-whois-asn-country.mmdb'))
  t.equal(JSON.parse(readFileSync(join(dir, 'state', 'data', 'riskgate-data.json'), 'utf8')).update_command, 'riskgate data update', 'no --dir: the default folder')
  const pinned = loadDataConfig({ ...env, RISKGATE_MMDB_ASN: '/elsewhere/asn.mmdb' })
  t.equal(pinned.asnDb, '/elsewhere/asn.mmdb', 'a configured file still wins')
})

const refusals: Array<[string, () => void, RegExp]> = [
  ['a tarball that does not match dist.integrity', () => {
    publishOpenData(1)
    const asn = registry.get(ASN_PACKAGE) as Published
    registry.set(ASN_PACKAGE, { ...asn, integrity: sri(asnTarball(ASN_V4 + '8.8.8.0,8.8.8.255,15169,Google LLC\n')) })
  }, /asn +refused +: @ip-location-db\/asn@[0-9.]+: the tarball does not match the registry's dist\.integrity \(the sha512 digest does not match/],
  ['a corrupt country database (integrity fine)', () => {
    publishOpenData(1)
    const garbage = Buffer.concat([countryDb(1).subarray(0, 200), Buffer.alloc(300, 7)])
    registry.set(COUNTRY_PACKAGE, { version: dataVersion(1), tgz: countryTarball(garbage) })
  }, /country +refused +: country database the new geo-whois-asn-country\.mmdb is not a MaxMind DB file/],
  ['a package without the database', () => {
    publishOpenData(1)
    registry.set(COUNTRY_PACKAGE, { version: dataVersion(1), tgz: tarGz({ 'package/README.md': 'moved' }) })
  }, /country +refused +: @ip-location-db\/geo-whois-asn-country-mmdb@[0-9.]+ has no geo-whois-asn-country\.mmdb/],
  ['a malformed ASN CSV', () => {
    publishOpenData(1)
    registry.set(ASN_PACKAGE, { version: dataVersion(1), tgz: asnTarball('1.0.0.0,1.0.0.255,not-a-number,X\n') })
  }, /asn +refused +: .*asn-ipv4\.csv:1: not an AS number/],
  ['a tarball that is not gzip', () => {
    publishOpenData(1)
    registry.set(ASN_PACKAGE, { version: dataVersion(1), tgz: Buffer.from('<html>blocked</html>') })
  }, /asn +refused +: the @ip-location-db\/asn@[0-9.]+ tarball is not a gzip archive/]
]

for (const [name, publish, message] of refusals) {
  t.test(`${name}: refused (exit 1), the old file is kept`, async (t) => {
    const { dir, env, old } = folderWithOldData(t)
    publish()
    const run = await update(['--dir', dir], env)
    t.equal(run.code, 1, run.stdout)
    t.match(run.stdout, message)
    t.match(run.stdout, /was left as it was/)
    t.match(run.stderr, /riskgate data update: \w+: refused: /)
    for (const [file, content] of Object.entries(old)) {
      if (new RegExp(`^${file.startsWith('asn') ? 'asn' : 'country'} +refused`, 'm').test(run.stdout)) t.same(readFileSync(join(dir, file)), content, `${file} untouched`)
    }
    noTemporaryFiles(t, dir)
  })
}

t.test('network failure: a clear message, exit 3, nothing touched', async (t) => {
  const { dir, env, old } = folderWithOldData(t)
  const closed = createServer()
  const dead = await listen(closed)
  await new Promise((resolve) => closed.close(resolve))
  const run = await runCaptured(['data', 'update', '--dir', dir, '--registry', dead], env)
  t.equal(run.code, 3)
  t.match(run.stdout, /^country +failed +: download failed: http:\/\/127\.0\.0\.1:\d+\/@ip-location-db%2fgeo-whois-asn-country-mmdb: fetch failed \(ECONNREFUSED\)/m)
  t.match(run.stderr, /riskgate data update: asn: failed: download failed: .*ECONNREFUSED/)
  t.same(readFileSync(join(dir, 'asn.mmdb')), old['asn.mmdb'])
  noTemporaryFiles(t, dir)
})

t.test('an answer that stalls: given up after --timeout, exit 3', async (t) => {
  const { dir, env, old } = folderWithOldData(t)
  const run = await runCaptured(['data', 'update', '--dir', dir, '--registry', `${base}/stall`, '--timeout', '0.2'], env)
  t.equal(run.code, 3)
  t.match(run.stdout, /^country +failed +: download failed: http:\/\/127\.0\.0\.1:\d+\/stall\/@ip-location-db%2fgeo-whois-asn-country-mmdb: no complete answer within 0\.2 s \(--timeout\)/m)
  t.same(readFileSync(join(dir, 'asn.mmdb')), old['asn.mmdb'])
})

t.test('a registry without the package: exit 3', async (t) => {
  const { dir, env } = folderWithOldData(t)
  registry.clear()
  const missing = await update(['--dir', dir], env)
  t.equal(missing.code, 3)
  t.match(missing.stdout, /country +failed +: download failed: .*: HTTP 404 Not Found/)
})

t.test('MaxMind: each edition downloaded with basic auth, checked against its SHA-256 and type, swapped in', async (t) => {
  const { dir, env } = folderWithOldData(t)
  publishMaxmind()
  storageAuth.length = 0
  const run = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv })
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, /^GeoLite2-Country +updated +GeoLite2-Country_20261201 +built \d{4}-\d\d-\d\d .*-> .*GeoLite2-Country\.mmdb$/m)
  t.match(run.stdout, /^GeoLite2-ASN +updated +GeoLite2-ASN_20261201 /m)
  t.match(run.stdout, new RegExp(`GeoLite2-Country: RISKGATE_MMDB_COUNTRY=${join(dir, 'GeoLite2-Country.mmdb')}`))
  t.match(run.stdout, new RegExp(`GeoLite2-ASN: RISKGATE_MMDB_ASN=${join(dir, 'GeoLite2-ASN.mmdb')}`))
  t.notMatch(run.stdout, /^(country|asn) /m, '--source maxmind: the open data is left alone')
  t.notMatch(run.stdout, /no MaxMind account/)
  t.match(run.stderr, /GeoLite2-Country: sha256 verified/)
  t.same(storageAuth, [undefined, undefined], 'the credentials are not sent on to the redirect target')
  const intel = await createIpIntel({ countryDb: join(dir, 'GeoLite2-Country.mmdb'), asnDb: join(dir, 'GeoLite2-ASN.mmdb') })
  t.teardown(() => intel.close())
  t.match(intel.lookup('81.2.69.1'), { country: 'GB' })
  t.match(intel.lookup('1.128.0.1'), { asn: 1221 })
  const manifest = readFileSync(join(dir, 'riskgate-data.json'), 'utf8')
  t.match(JSON.parse(manifest).files['GeoLite2-ASN.mmdb'], { source: 'maxmind', origin: 'GeoLite2-ASN', version: 'GeoLite2-ASN_20261201', digest: /^sha256:[0-9a-f]{64}$/ })
  for (const text of [run.stdout, run.stderr, manifest]) t.notMatch(text, LICENSE_KEY, 'the license key is never printed nor written')

  requests.length = 0
  const again = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv })
  t.match(again.stdout, /^GeoLite2-ASN +current +GeoLite2-ASN_20261201 +built \d{4}-\d\d-\d\d +\(GeoLite2-ASN\.mmdb is this archive\)$/m)
  t.same(requests.filter((r) => r.endsWith('suffix=tar.gz')), [], 'the same SHA-256: no archive downloaded')
})

t.test('with a MaxMind account the default is both sources; --source open leaves MaxMind alone', async (t) => {
  const { dir, env } = folderWithOldData(t)
  publishOpenData(1)
  publishMaxmind()
  const both = await update(['--dir', dir], { ...env, ...maxmindEnv, RISKGATE_MAXMIND_EDITIONS: ' GeoLite2-ASN ,GeoLite2-ASN' })
  t.equal(both.code, 0, both.stderr)
  t.same(both.stdout.split('\n').filter((l) => /^\S+ +(updated|current) /.test(l)).map((l) => l.split(/ +/)[0]), ['country', 'asn', 'GeoLite2-ASN'])
  const open = await update(['--dir', dir, '--source', 'open', '--force'], { ...env, ...maxmindEnv })
  t.notMatch(open.stdout, /GeoLite2/)
  t.notMatch(open.stdout, /no MaxMind account/)
})

t.test('MaxMind: a Connection-Type edition is installed for RISKGATE_MMDB_CONNECTION_TYPE', async (t) => {
  const { dir, env } = folderWithOldData(t)
  editions.set('GeoIP2-Connection-Type', { tgz: maxmindArchive('GeoIP2-Connection-Type', maxmindDb('GeoIP2-Connection-Type', [['81.2.69.0/24', { connection_type: 'Corporate' }]])) })
  const run = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv, RISKGATE_MAXMIND_EDITIONS: 'GeoIP2-Connection-Type' })
  t.equal(run.code, 0, run.stdout + run.stderr)
  t.match(run.stdout, new RegExp(`GeoIP2-Connection-Type: RISKGATE_MMDB_CONNECTION_TYPE=${join(dir, 'GeoIP2-Connection-Type.mmdb')}`))
  const intel = await createIpIntel({ connectionTypeDb: join(dir, 'GeoIP2-Connection-Type.mmdb') })
  t.teardown(() => intel.close())
  t.equal(intel.lookup('81.2.69.1').connection_type, 'Corporate')
})

t.test('MaxMind refusals and failures', async (t) => {
  t.test('credentials refused: exit 3, the key not echoed', async (t) => {
    const { dir, env } = folderWithOldData(t)
    publishMaxmind()
    const run = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv, RISKGATE_MAXMIND_LICENSE_KEY: 'wrongKey_' + LICENSE_KEY.slice(9) })
    t.equal(run.code, 3)
    t.match(run.stdout, /GeoLite2-Country +failed +: MaxMind refused the download \(HTTP 401\): check RISKGATE_MAXMIND_ACCOUNT_ID and RISKGATE_MAXMIND_LICENSE_KEY/)
    t.notMatch(run.stdout + run.stderr, /wrongKey_|Invalid license key/)
    t.notOk(existsSync(join(dir, 'GeoLite2-Country.mmdb')))
  })
  t.test('an archive that does not match the published SHA-256: refused', async (t) => {
    const { dir, env } = folderWithOldData(t)
    publishMaxmind()
    editions.set('GeoLite2-ASN', { ...editions.get('GeoLite2-ASN') as { tgz: Buffer }, sha256: sha256(Buffer.from('another archive')) })
    const run = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv })
    t.equal(run.code, 1)
    t.match(run.stdout, /GeoLite2-ASN +refused +: GeoLite2-ASN: the archive does not match the SHA-256 MaxMind publishes for it/)
    t.match(run.stdout, /^GeoLite2-Country +updated/m, 'the other edition is not affected')
    t.notOk(existsSync(join(dir, 'GeoLite2-ASN.mmdb')))
    noTemporaryFiles(t, dir)
  })
  t.test('a database of another type than the edition: refused, the old file kept', async (t) => {
    const { dir, env } = folderWithOldData(t)
    publishMaxmind()
    const before = maxmindDb('GeoLite2-Country', [['81.2.69.0/24', { country: { iso_code: 'FR' } }]], 60)
    writeFileSync(join(dir, 'GeoLite2-Country.mmdb'), before)
    editions.set('GeoLite2-Country', { tgz: maxmindArchive('GeoLite2-Country', maxmindDb('GeoLite2-City', [['81.2.69.0/24', { country: { iso_code: 'GB' } }]])) })
    const run = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv })
    t.equal(run.code, 1)
    t.match(run.stdout, /GeoLite2-Country +refused +: GeoLite2-Country: the database in the archive is a GeoLite2-City, not GeoLite2-Country/)
    t.same(readFileSync(join(dir, 'GeoLite2-Country.mmdb')), before)
  })
  t.test('a database of the wrong role for the edition name: refused by the server loader', async (t) => {
    const { dir, env } = folderWithOldData(t)
    editions.set('GeoIP2-Anonymous-IP', { tgz: maxmindArchive('GeoIP2-Anonymous-IP', maxmindDb('GeoIP2-Connection-Type', [['81.2.69.0/24', { connection_type: 'Corporate' }]])) })
    const run = await update(['--dir', dir, '--source', 'maxmind'], { ...env, ...maxmindEnv, RISKGATE_MAXMIND_EDITIONS: 'GeoIP2-Anonymous-IP' })
    t.equal(run.code, 1)
    t.match(run.stdout, /GeoIP2-Anonymous-IP +refused +: anonymous database the new GeoIP2-Anonymous-IP\.mmdb is a GeoIP2-Connection-Type database/)
  })
})

t.test('a running riskgate picks the replaced files up (hot reload)', async (t) => {
  const { buildApp } = await import('../../src/app.js')
  const { testConfig } = await import('../helpers/app.js')
  const { dir, env } = folderWithOldData(t)
  const lines: string[] = []
  const waiting: Array<{ test: (line: string) => boolean, resolve: (line: string) => void }> = []
  const logStream = {
    write: (line: string) => {
      lines.push(line)
      for (const w of waiting.splice(0)) {
        if (w.test(line)) w.resolve(line)
        else waiting.push(w)
      }
    }
  }
  const logged = async (test: (line: string) => boolean): Promise<string> => {
    const seen = lines.find(test)
    return seen ?? await new Promise<string>((resolve) => waiting.push({ test, resolve }))
  }
  const app = await buildApp(testConfig({
    countryDb: join(dir, 'geo-whois-asn-country.mmdb'),
    asnDb: join(dir, 'asn.mmdb'),
    reload: { intervalMs: 3_600_000, debounceMs: 20 }
  }), { logStream })
  t.teardown(() => app.close())
  t.match(app.ipIntel.lookup('1.128.0.1'), { asn: 64500 })
  const reloaded = (source: string) => (line: string) => line.includes('"msg":"ip data reloaded"') && line.includes(`"source":"${source}"`)
  const asnReloaded = logged(reloaded('asn'))
  const countryReloaded = logged(reloaded('country'))

  publishOpenData(1)
  const run = await update(['--dir', dir], env)
  t.equal(run.code, 0, run.stderr)
  await Promise.all([asnReloaded, countryReloaded])
  t.match(app.ipIntel.lookup('1.128.0.1'), { asn: 1221, as_org: 'Telstra Pty Ltd', country: 'AU' })
  t.match(app.ipIntel.lookup('81.2.69.1'), { country: 'GB' })
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  const asn = ready.json().data.find((s: { id: string }) => s.id === 'asn')
  t.match(asn, { file: 'asn.mmdb', age_days: 1, warnings: [] })
})

t.test('stale even after the update: status and /readyz name the command recorded for the folder', async (t) => {
  const { buildApp } = await import('../../src/app.js')
  const { testConfig } = await import('../helpers/app.js')
  const { dir, env } = folderWithOldData(t)
  publishOpenData(60)
  const run = await update(['--dir', dir], env)
  t.equal(run.code, 0, 'the update worked: the newest release is just old')
  t.match(run.stdout, /warning: asn: the newest release \(@ip-location-db\/asn@[0-9.]+\) was built \d{4}-\d\d-\d\d, 60 days ago, over the 45-day limit/)
  const status = await runCaptured(['data', 'status'], { ...env, RISKGATE_MMDB_ASN: join(dir, 'asn.mmdb') })
  t.equal(status.code, 0)
  t.match(status.stdout, new RegExp(`warning: asn: stale: .*: run \`riskgate data update --dir ${dir}\`\n`))
  const app = await buildApp(testConfig({ asnDb: join(dir, 'asn.mmdb') }), { logStream: { write: () => {} } })
  t.teardown(() => app.close())
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  const asn = ready.json().data.find((s: { id: string }) => s.id === 'asn')
  t.match(asn.warnings, [/^stale: .*: run `riskgate data update --dir [^/`]+`$/], 'in public, the folder is cut to its name')
})

t.test('one run per folder at a time; a lock left by a process that is gone is taken over', async (t) => {
  const { spawnSync } = await import('node:child_process')
  const { dir, env } = folderWithOldData(t)
  publishOpenData(1)
  writeFileSync(join(dir, '.riskgate-data-update.lock'), `${process.pid}\n`)
  const locked = await update(['--dir', dir], env)
  t.equal(locked.code, 3)
  t.match(locked.stderr, /another riskgate data update \(process \d+\) is working in /)
  const gone = spawnSync(process.execPath, ['-e', '0']).pid
  writeFileSync(join(dir, '.riskgate-data-update.lock'), `${gone}\n`)
  const run = await update(['--dir', dir], env)
  t.equal(run.code, 0, run.stderr)
  noTemporaryFiles(t, dir)
})

t.test('usage and configuration errors: exit 2', async (t) => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [['--source', 'maxmind'], {}, /--source maxmind needs a MaxMind account: set RISKGATE_MAXMIND_ACCOUNT_ID and RISKGATE_MAXMIND_LICENSE_KEY/],
    [['--source', 'geoip'], {}, /--source must be open, maxmind or all/],
    [['--registry', 'ftp://example.org'], {}, /--registry must be http or https/],
    [['--maxmind-url', 'https://user:pw@example.org'], {}, /--maxmind-url must not carry credentials/],
    [['--timeout', '0'], {}, /--timeout must be a positive number/],
    [['extra'], {}, /unexpected argument "extra"/],
    [[], { RISKGATE_MAXMIND_LICENSE_KEY: LICENSE_KEY }, /RISKGATE_MAXMIND_LICENSE_KEY is set but RISKGATE_MAXMIND_ACCOUNT_ID is not/],
    [[], { RISKGATE_MAXMIND_ACCOUNT_ID: 'acct', RISKGATE_MAXMIND_LICENSE_KEY: LICENSE_KEY }, /RISKGATE_MAXMIND_ACCOUNT_ID must be the numeric account ID/],
    [[], { ...maxmindEnv, RISKGATE_MAXMIND_EDITIONS: 'GeoIP2-Domain' }, /GeoIP2-Domain is not a MaxMind edition riskgate uses/],
    [[], { RISKGATE_DATA_MAX_AGE_DAYS: 'old' }, /invalid configuration/]
  ]
  for (const [args, env, message] of cases) {
    const run = await runCaptured(['data', 'update', ...args], env)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, message)
    t.notMatch(run.stderr, LICENSE_KEY)
  }
  const help = await runCaptured(['data', 'update', '--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /exit codes: 0 every database updated or already current, 1 a download was refused/)
})
