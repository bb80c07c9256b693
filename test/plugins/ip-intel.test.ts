import t from 'tap'
import Fastify from 'fastify'
import { ipIntelPlugin } from '../../src/plugins/ip-intel.js'
import { writeIpFixtures } from '../helpers/mmdb-fixtures.js'

t.test('decorates fastify.ipIntel from the configured data', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const app = Fastify()
  await app.register(ipIntelPlugin, { countryDb: f.countryGeoIP2, asnDb: f.asn })
  await app.ready()
  t.equal(app.ipIntel.lookup('81.2.69.160').country, 'GB')
  t.equal(app.ipIntel.lookup('81.2.69.160').asn, 20712)
  t.same(app.ipIntel.sources.map((s) => s.name), ['country', 'asn'])
  await app.close()
  t.notOk('country' in app.ipIntel.lookup('81.2.69.160'), 'closed with the server')
})

t.test('a missing file stops the start', async (t) => {
  const app = Fastify()
  await t.rejects(async () => {
    await app.register(ipIntelPlugin, { countryDb: 'no-such-file.mmdb' })
    await app.ready()
  }, /country database no-such-file\.mmdb: file not found/)
})

t.test('ipDataStatus: every source with its warnings; stale data is logged at start', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (l: string) => { lines.push(l) } } } })
  await app.register(ipIntelPlugin, { countryDb: f.countryGeoIP2, asnDb: f.asn, maxAgeDays: { mmdb: 30, tor: 2 } })
  await app.ready()
  t.teardown(() => app.close())
  const status = app.ipDataStatus()
  t.same(status.map((s) => s.id), ['country', 'asn'])
  for (const s of status) {
    t.equal(s.max_age_days, 30)
    t.match(s.warnings, [/^stale: built 2026-01-02, [0-9.]+ days old, over the 30-day limit/], 'the fixtures are built 2026-01-02')
  }
  t.ok(lines.some((l) => l.includes('"level":40') && l.includes('ip data stale: built 2026-01-02')), 'a warning in the log')
})

t.test('with reload, the watchers are closed with the server', async (t) => {
  const f = writeIpFixtures(t.testdir())
  const handles = async (): Promise<number> => {
    await new Promise((resolve) => setImmediate(resolve))
    return process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length
  }
  const before = await handles()
  const app = Fastify()
  await app.register(ipIntelPlugin, { countryDb: f.countryGeoIP2, asnDb: f.asn, reload: { intervalMs: 60_000 } })
  await app.ready()
  t.equal(await handles(), before + 1, 'one watch on the folder of both files')
  await app.close()
  t.equal(await handles(), before)
})
