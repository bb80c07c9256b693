import t from 'tap'
import type { Test } from 'tap'
import { truncateSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { inspectDataSources } from '../../src/data/status.js'
import { bundledDataPaths } from '../../src/signals/ip/bundled-data.js'
import { writeMmdb } from '../helpers/mmdb-fixtures.js'
import { runCaptured } from '../helpers/cli-io.js'

const DAY = 86_400_000

const cli = runCaptured

/** country, ASN, anonymizer and connection type databases built `ageDays` ago, a Tor list and an operator hosting list */
function dataDir (t: Test, ageDays: number, torAgeDays = 0): { dir: string, env: Record<string, string> } {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n185.220.101.2\n', 'ops.txt': '64500\n198.51.0.0/16\n' })
  const built = new Date(Date.now() - ageDays * DAY)
  writeMmdb(dir, 'country.mmdb', { databaseType: 'GeoIP2-Country', buildEpoch: built }, [['81.2.69.0/24', { country: { iso_code: 'GB' } }]])
  writeMmdb(dir, 'asn.mmdb', { databaseType: 'GeoLite2-ASN', buildEpoch: built }, [['81.2.69.0/24', { autonomous_system_number: 20712 }]])
  writeMmdb(dir, 'anon.mmdb', { databaseType: 'GeoIP2-Anonymous-IP', buildEpoch: built }, [['81.2.69.0/24', { is_anonymous: true }]])
  writeMmdb(dir, 'ct.mmdb', { databaseType: 'GeoIP2-Connection-Type', buildEpoch: built }, [['81.2.69.0/24', { connection_type: 'Corporate' }]])
  const torTime = new Date(Date.now() - torAgeDays * DAY)
  utimesSync(join(dir, 'tor.txt'), torTime, torTime)
  return {
    dir,
    env: {
      RISKGATE_MMDB_COUNTRY: join(dir, 'country.mmdb'),
      RISKGATE_MMDB_ASN: join(dir, 'asn.mmdb'),
      RISKGATE_MMDB_ANONYMOUS: 'anon.mmdb', // relative: to the working directory
      RISKGATE_MMDB_CONNECTION_TYPE: join(dir, 'ct.mmdb'),
      RISKGATE_TOR_EXITS_FILE: join(dir, 'tor.txt'),
      RISKGATE_HOSTING_LISTS: join(dir, 'ops.txt')
    }
  }
}

t.test('everything fresh: a table and exit 0', async (t) => {
  const { dir, env } = dataDir(t, 3)
  const run = await cli(['data', 'status'], env, dir)
  t.equal(run.code, 0, run.stdout)
  const lines = run.stdout.split('\n')
  t.match(lines[0], /^SOURCE +STATE +TYPE +BUILT +AGE +LIMIT +SIZE +PATH$/)
  t.match(run.stdout, /\ncountry +ok +GeoIP2-Country +\d{4}-\d\d-\d\d +3 d +45 d +\d+ nodes +.*country\.mmdb\n/)
  t.match(run.stdout, /\nasn +ok +GeoLite2-ASN .* 45 d /)
  t.match(run.stdout, /\nanonymous +ok +GeoIP2-Anonymous-IP .*anon\.mmdb\n/)
  t.match(run.stdout, /\ntor_exits +ok +list +\d{4}-\d\d-\d\d +0 d +2 d +2 entries +.*tor\.txt\n/)
  t.match(run.stdout, /\nhosting +ok +list .* - +\d+ entries +.*hosting-asns\.txt\n/, 'the bundled list first, no age limit')
  t.match(run.stdout, /\nhosting:ops\.txt +ok +list .* 2 entries +.*ops\.txt\n/, 'the operator list under its own key')
  t.match(run.stdout, /ok: every source loads and is fresh\n$/)
  t.notMatch(run.stdout, /note:/)
})

t.test('stale data is a warning (exit 0) naming what fixes it; --strict makes it a failure', async (t) => {
  const { dir, env } = dataDir(t, 60, 3)
  const run = await cli(['data', 'status'], env, dir)
  t.equal(run.code, 0, 'riskgate serves stale data: so does status pass')
  t.match(run.stdout, /\ncountry +stale /)
  t.match(run.stdout, /warning: country: stale: built \d{4}-\d\d-\d\d, 60 days old, over the 45-day limit: replace the file with a newer build \(riskgate does not manage this file\)\n/)
  t.match(run.stdout, /warning: tor_exits: stale: .* 3 days old, over the 2-day limit: run `riskgate data update-tor`\n/)
  t.match(run.stdout, /ok, with warnings: stale data is served until it is refreshed \(see above\)\n$/)

  const strict = await cli(['data', 'status', '--strict'], env, dir)
  t.equal(strict.code, 1)
  t.match(strict.stdout, /not ok: stale data \(--strict; see above\)\n$/)
  const json = JSON.parse((await cli(['data', 'status', '--json'], env, dir)).stdout)
  t.match(json, { ok: false, broken: false, stale: true })

  const relaxed = await cli(['data', 'status', '--strict'], { ...env, RISKGATE_DATA_MAX_AGE_DAYS: '90', RISKGATE_TOR_MAX_AGE_DAYS: '7' }, dir)
  t.equal(relaxed.code, 0, 'the limits come from the same configuration as the server')
  t.match(relaxed.stdout, /\ncountry +ok .* 60 d +90 d /)
  t.match(relaxed.stdout, /ok: every source loads and is fresh\n$/)
})

t.test('a database `riskgate data update` installed: the warning names the command recorded beside it', async (t) => {
  const { dir, env } = dataDir(t, 60)
  writeFileSync(join(dir, 'riskgate-data.json'), JSON.stringify({
    update_command: `riskgate data update --dir ${dir}`,
    files: { 'asn.mmdb': { role: 'asn', source: 'maxmind', origin: 'GeoLite2-ASN', version: 'GeoLite2-ASN_20261001', digest: 'sha256:00', built_at: '2026-10-01T00:00:00.000Z', updated_at: '2026-10-02T00:00:00.000Z', bytes: 1 } }
  }))
  const run = await cli(['data', 'status'], env, dir)
  t.match(run.stdout, new RegExp(`warning: asn: stale: .*: run \`riskgate data update --dir ${dir}\`\n`))
  t.match(run.stdout, /warning: country: stale: .*riskgate does not manage this file/, 'a file the manifest does not list is not managed')
})

t.test('missing and broken files: each reported, the others still listed', async (t) => {
  const { dir, env } = dataDir(t, 1)
  truncateSync(join(dir, 'asn.mmdb'), 64)
  writeFileSync(join(dir, 'ops.txt'), '64500\nnot an entry\n')
  const run = await cli(['data', 'status', '--json'], { ...env, RISKGATE_TOR_EXITS_FILE: join(dir, 'gone.txt') }, dir)
  t.equal(run.code, 1, 'broken: exit 1 with or without --strict')
  const out = JSON.parse(run.stdout)
  t.equal(out.ok, false)
  t.equal(out.broken, true)
  const table = await cli(['data', 'status'], { ...env, RISKGATE_TOR_EXITS_FILE: join(dir, 'gone.txt') }, dir)
  t.match(table.stdout, /not ok: a file is missing or invalid \(see above\)\n$/)
  t.same(out.unconfigured, [])
  const byId = Object.fromEntries(out.sources.map((s: { id: string }) => [s.id, s]))
  t.match(byId.country, { state: 'ok', database_type: 'GeoIP2-Country', age_days: 1, max_age_days: 45, entries: Number })
  t.match(byId.asn, { state: 'invalid', problem: /asn database .*asn\.mmdb is not a MaxMind DB file/ })
  t.notOk('built_at' in byId.asn)
  t.match(byId.tor_exits, { state: 'missing', max_age_days: 2, problem: /tor exit list .*gone\.txt: file not found/ })
  t.match(byId['hosting:ops.txt'], { state: 'invalid', problem: /ops\.txt:2: expected an AS number or a CIDR network/ })
  t.match(byId.hosting, { state: 'ok', kind: 'list' })
})

t.test('the defaults: bundled data; unconfigured roles are noted', async (t) => {
  // a state folder without updated data: the bundled files, as on a fresh clone
  const env = { RISKGATE_DEV_STATE_DIR: t.testdir() }
  const run = await cli(['data', 'status'], env)
  const bundled = bundledDataPaths()
  t.match(run.stdout, /\ncountry .*@ip-location-db\/geo-whois-asn-country-mmdb\/geo-whois-asn-country\.mmdb\n/)
  t.match(run.stdout, /\nasn .* data\/build\/asn\.mmdb\n/, 'paths under the working directory are shown relative to it')
  t.match(run.stdout, /\nasn +\w+ +riskgate-ASN /)
  t.match(run.stdout, /note: no anonymizer database \(RISKGATE_MMDB_ANONYMOUS\)/)
  t.match(run.stdout, /note: no Tor exit list \(RISKGATE_TOR_EXITS_FILE\)/)
  const status = await inspectDataSources({ countryDb: bundled.countryDb, asnDb: bundled.asnDb, hostingAsnFiles: [bundled.hostingAsns] }, Date.now())
  t.equal(status.broken, false)
  t.equal(run.code, 0, 'a fresh install passes: stale bundled data is a warning')
  if (status.stale) {
    t.match(run.stdout, /warning: asn: stale: .*: run `riskgate data update` \(it fetches the newest open data; riskgate uses it instead of the bundled copy from its next start\)\n/)
    t.match(run.stdout, /warning: country: stale: .*: run `riskgate data update` /)
  }
  const strict = await cli(['data', 'status', '--strict'], env)
  t.equal(strict.code, status.stale ? 1 : 0, '--strict: exit 1 exactly when the bundled data is older than the limit')
})

t.test('usage and configuration errors', async (t) => {
  const bad = await cli(['data', 'status', '--verbose'], {})
  t.equal(bad.code, 2)
  t.match(bad.stderr, /Unknown option '--verbose'/)
  const config = await cli(['data', 'status'], { RISKGATE_DATA_MAX_AGE_DAYS: '-3' })
  t.equal(config.code, 2)
  t.match(config.stderr, /riskgate data status: invalid configuration: .*RISKGATE_DATA_MAX_AGE_DAYS/)
  const help = await cli(['data', 'status', '--help'], {})
  t.equal(help.code, 0)
  t.match(help.stdout, /exit codes: 0 every file loads \(stale ones are warnings\), 1 a file is missing or invalid, or\n +stale with --strict/)
})
