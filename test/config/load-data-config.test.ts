import t from 'tap'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ConfigError, loadConfig, loadDataConfig } from '../../src/config/load-config.js'
import { bundledDataPaths } from '../../src/signals/ip/bundled-data.js'

t.test('defaults: bundled data, age limits, hot reload every 60 s', async (t) => {
  const bundled = bundledDataPaths()
  // a state folder without updated open data, as on a fresh clone
  t.same(loadDataConfig({ RISKGATE_DEV_STATE_DIR: t.testdir() }), {
    countryDb: bundled.countryDb,
    asnDb: bundled.asnDb,
    hostingAsnFiles: [bundled.hostingAsns],
    maxAgeDays: { mmdb: 45, tor: 2 },
    reload: { intervalMs: 60_000 }
  })
})

t.test('open data `riskgate data update` fetched into the state folder replaces the bundled copy, file by file', async (t) => {
  const dir = t.testdir({ state: { data: { 'asn.mmdb': 'not read here' } } })
  const bundled = bundledDataPaths()
  const absolute = loadDataConfig({ RISKGATE_DEV_STATE_DIR: path.join(dir, 'state') })
  t.equal(absolute.asnDb, path.join(dir, 'state', 'data', 'asn.mmdb'))
  t.equal(absolute.countryDb, bundled.countryDb, 'no updated country database: the bundled one')
  const relative = loadDataConfig({ RISKGATE_DEV_STATE_DIR: './state' }, dir)
  t.equal(relative.asnDb, path.join('state', 'data', 'asn.mmdb'), 'relative to the working directory given, as configured')
  t.equal(loadDataConfig({ RISKGATE_DEV_STATE_DIR: './state' }).asnDb, bundled.asnDb, 'looked for in the working directory')
  t.equal(loadDataConfig({ RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'), RISKGATE_MMDB_ASN: '/srv/asn.mmdb' }).asnDb, '/srv/asn.mmdb', 'a configured file wins')
})

t.test('operator hosting lists come after the bundled one; limits and interval are configurable', async (t) => {
  const data = loadDataConfig({
    RISKGATE_HOSTING_LISTS: ' /etc/riskgate/dc.txt,, ops/extra.txt ',
    RISKGATE_TOR_EXITS_FILE: '/var/lib/riskgate/tor.txt',
    RISKGATE_MMDB_ANONYMOUS: '/var/lib/riskgate/anon.mmdb',
    RISKGATE_MMDB_CONNECTION_TYPE: '/var/lib/riskgate/GeoIP2-Connection-Type.mmdb',
    RISKGATE_DATA_MAX_AGE_DAYS: '10',
    RISKGATE_TOR_MAX_AGE_DAYS: '0.5',
    RISKGATE_DATA_CHECK_INTERVAL_SECONDS: '5'
  })
  t.same(data.hostingAsnFiles, [bundledDataPaths().hostingAsns, '/etc/riskgate/dc.txt', 'ops/extra.txt'])
  t.equal(data.torExitsFile, '/var/lib/riskgate/tor.txt')
  t.equal(data.anonymousDb, '/var/lib/riskgate/anon.mmdb')
  t.equal(data.connectionTypeDb, '/var/lib/riskgate/GeoIP2-Connection-Type.mmdb')
  t.notOk('connectionTypeDb' in loadDataConfig({}), 'none by default')
  t.same(data.maxAgeDays, { mmdb: 10, tor: 0.5 })
  t.same(data.reload, { intervalMs: 5000 })
  t.notOk('reload' in loadDataConfig({ RISKGATE_DATA_CHECK_INTERVAL_SECONDS: '0' }), '0: no hot reload')
})

t.test('the server reads the same data configuration', async (t) => {
  const dir = t.testdir()
  const env = { RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'), RISKGATE_HOSTING_LISTS: 'x.txt', RISKGATE_DATA_MAX_AGE_DAYS: '7' }
  const { config } = await loadConfig(env)
  t.same(config.data, loadDataConfig(env))
})

t.test('loadDataConfig has no side effect: no development secrets are written', async (t) => {
  const dir = t.testdir()
  loadDataConfig({ RISKGATE_DEV_STATE_DIR: path.join(dir, 'state') })
  t.notOk(existsSync(path.join(dir, 'state')))
})

t.test('bad values are refused', async (t) => {
  t.throws(() => loadDataConfig({ RISKGATE_DATA_MAX_AGE_DAYS: '0' }), ConfigError)
  t.throws(() => loadDataConfig({ RISKGATE_TOR_MAX_AGE_DAYS: 'soon' }), /RISKGATE_TOR_MAX_AGE_DAYS/)
  t.throws(() => loadDataConfig({ RISKGATE_DATA_CHECK_INTERVAL_SECONDS: '-1' }), /RISKGATE_DATA_CHECK_INTERVAL_SECONDS/)
  t.same(loadDataConfig({ RISKGATE_HOSTING_LISTS: '' }).hostingAsnFiles, loadDataConfig({}).hostingAsnFiles, 'an empty setting is an unset one: the bundled list only')
})
