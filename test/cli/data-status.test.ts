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

/** country, ASN and anonymizer databases built `ageDays` ago, a Tor list and an operator hosting list */
function dataDir (t: Test, ageDays: number, torAgeDays = 0): { dir: string, env: Record<string, string> } {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n185.220.101.2\n', 'ops.txt': '64500\n198.51.0.0/16\n' })
  const built = new Date(Date.now() - ageDays * DAY)
  writeMmdb(dir, 'country.mmdb', { databaseType: 'GeoIP2-Country', buildEpoch: built }, [['81.2.69.0/24', { country: { iso_code: 'GB' } }]])
  writeMmdb(dir, 'asn.mmdb', { databaseType: 'GeoLite2-ASN', buildEpoch: built }, [['81.2.69.0/24', { autonomous_system_number: 20712 }]])
  writeMmdb(dir, 'anon.mmdb', { databaseType: 'GeoIP2-Anonymous-IP', buildEpoch: built }, [['81.2.69.0/24', { is_anonymous: true }]])
  const torTime = new Date(Date.now() - torAgeDays * DAY)
  utimesSync(join(dir, 'tor.txt'), torTime, torTime)
  return {
    dir,
    env: {
      RISKGATE_MMDB_COUNTRY: join(dir, 'country.mmdb'),
      RISKGATE_MMDB_ASN: join(dir, 'asn.mmdb'),
      RISKGATE_MMDB_ANONYMOUS: 'anon.mmdb', // relative: to the working directory
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

t.test('a stale database and a stale Tor list: warnings and exit 1', async (t) => {
  const { dir, env } = dataDir(t, 60, 3)
  const run = await cli(['data', 'status'], env, dir)
  t.equal(run.code, 1)
  t.match(run.stdout, /\ncountry +stale /)
  t.match(run.stdout, /warning: country: stale: built \d{4}-\d\d-\d\d, 60 days old, over the 45-day limit/)
  t.match(run.stdout, /warning: tor_exits: stale: .* 3 days old, over the 2-day limit: run `riskgate data update-tor`/)
  t.match(run.stdout, /not ok: see above\n$/)

  const relaxed = await cli(['data', 'status'], { ...env, RISKGATE_DATA_MAX_AGE_DAYS: '90', RISKGATE_TOR_MAX_AGE_DAYS: '7' }, dir)
  t.equal(relaxed.code, 0, 'the limits come from the same configuration as the server')
  t.match(relaxed.stdout, /\ncountry +ok .* 60 d +90 d /)
})

t.test('missing and broken files: each reported, the others still listed', async (t) => {
  const { dir, env } = dataDir(t, 1)
  truncateSync(join(dir, 'asn.mmdb'), 64)
  writeFileSync(join(dir, 'ops.txt'), '64500\nnot an entry\n')
  const run = await cli(['data', 'status', '--json'], { ...env, RISKGATE_TOR_EXITS_FILE: join(dir, 'gone.txt') }, dir)
  t.equal(run.code, 1)
  const out = JSON.parse(run.stdout)
  t.equal(out.ok, false)
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
  const run = await cli(['data', 'status'], {})
  const bundled = bundledDataPaths()
  t.match(run.stdout, /\ncountry .* node_modules\/@ip-location-db\/geo-whois-asn-country-mmdb\/geo-whois-asn-country\.mmdb\n/, 'paths under the working directory are shown relative to it')
  t.match(run.stdout, /\nasn .* data\/build\/asn\.mmdb\n/)
  t.match(run.stdout, /\nasn +\w+ +riskgate-ASN /)
  t.match(run.stdout, /note: no anonymizer database \(RISKGATE_MMDB_ANONYMOUS\)/)
  t.match(run.stdout, /note: no Tor exit list \(RISKGATE_TOR_EXITS_FILE\)/)
  const status = await inspectDataSources({ countryDb: bundled.countryDb, asnDb: bundled.asnDb, hostingAsnFiles: [bundled.hostingAsns] }, Date.now())
  t.equal(run.code, status.ok ? 0 : 1, 'exit 1 exactly when the bundled data is older than the limit')
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
  t.match(help.stdout, /exit codes: 0 every file loads and is fresh, 1 something is stale, missing or invalid/)
})
