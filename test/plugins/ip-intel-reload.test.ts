import t from 'tap'
import type { Test } from 'tap'
import { readFileSync, renameSync, truncateSync, utimesSync, writeFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { AppConfig } from '../../src/config/app-config.js'
import { charge, scoreAuth, testConfig, testData, TOR_EXIT } from '../helpers/app.js'
import { buildMmdb } from '../helpers/mmdb-fixtures.js'
import { eventually } from '../helpers/eventually.js'

// hot reload through the whole app: files replaced on disk, seen by POST /v1/score and /readyz
// without a restart. The periodic check is an hour away: fs.watch does the work here.
const HOUR = 3_600_000
const NEW_EXIT = '185.220.101.99'

async function appWithReload (t: Test): Promise<{ app: FastifyInstance, data: AppConfig['data'], logs: string[] }> {
  const data: AppConfig['data'] = { ...testData(t), reload: { intervalMs: HOUR, debounceMs: 20 } }
  const logs: string[] = []
  const app = await buildApp(testConfig(data), { logStream: { write: (line) => { logs.push(line) } } })
  t.teardown(() => app.close())
  return { app, data, logs }
}

async function score (app: FastifyInstance, ip: string): Promise<{ status: number, body: { signals: { ip: Record<string, unknown> }, data: Record<string, string>, reasons: Array<{ rule: string }> } }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: charge({ ip }) })
  return { status: res.statusCode, body: res.json() }
}

async function readyData (app: FastifyInstance): Promise<Array<{ id: string, loaded_at: string, built_at: string, warnings: string[] }>> {
  return (await app.inject({ method: 'GET', url: '/readyz' })).json().data
}

function replace (path: string, content: string | Buffer, mtime?: Date): void {
  writeFileSync(`${path}.tmp`, content)
  if (mtime !== undefined) utimesSync(`${path}.tmp`, mtime, mtime)
  renameSync(`${path}.tmp`, path)
}

t.test('a replaced Tor list flags a new exit without a restart', async (t) => {
  const { app, data, logs } = await appWithReload(t)
  const before = await score(app, NEW_EXIT)
  t.equal(before.body.signals.ip.is_tor, false)
  t.notOk(before.body.reasons.some((r) => r.rule === 'tor_exit'))

  replace(data.torExitsFile as string, `${TOR_EXIT}\n${NEW_EXIT}\n`)
  const after = await eventually(async () => {
    const res = await score(app, NEW_EXIT)
    return res.body.signals.ip.is_tor === true ? res : undefined
  })
  t.equal(after.status, 200)
  t.ok(after.body.reasons.some((r) => r.rule === 'tor_exit'), 'the tor_exit rule fires')
  t.not(after.body.data.tor_exits, before.body.data.tor_exits, 'the decision records the new list')
  t.ok(logs.some((l) => l.includes('"msg":"ip data reloaded"') && l.includes('"source":"tor_exits"')), 'logged')
  const tor = (await readyData(app)).find((s) => s.id === 'tor_exits')
  t.equal(tor?.built_at, after.body.data.tor_exits, '/readyz shows the list in use')
})

t.test('a replaced database is swapped in; a truncated one is refused and the old one answers', async (t) => {
  const { app, data, logs } = await appWithReload(t)
  const country = data.countryDb as string
  t.equal((await score(app, '81.2.69.160')).body.signals.ip.country, 'GB')
  const loadedAt = (await readyData(app)).find((s) => s.id === 'country')?.loaded_at

  const built = new Date(Math.floor(Date.now() / 1000) * 1000) // fresh: no stale warning beside the refusal
  replace(country, buildMmdb({ databaseType: 'GeoLite2-Country', buildEpoch: built }, [['81.2.69.0/24', { country: { iso_code: 'FR' } }]]))
  const fr = await eventually(async () => {
    const res = await score(app, '81.2.69.160')
    return res.body.signals.ip.country === 'FR' ? res : undefined
  })
  t.equal(fr.body.data.country, built.toISOString())
  const reloaded = (await readyData(app)).find((s) => s.id === 'country')
  t.equal(reloaded?.built_at, built.toISOString())
  t.not(reloaded?.loaded_at, loadedAt)

  // a copy cut in the middle, written in place: refused, logged, shown in /readyz
  const bytes = readFileSync(country)
  truncateSync(country, Math.floor(bytes.length / 2))
  const warned = await eventually(async () => (await readyData(app)).find((s) => s.id === 'country' && s.warnings.length > 0))
  t.match(warned.warnings, [/^replacement refused at .*: country database .* is not a MaxMind DB file.*; still serving the data loaded before$/])
  t.ok(logs.some((l) => l.includes('"level":50') && l.includes('ip data replacement refused')), 'logged as an error')
  const ready = (await app.inject({ method: 'GET', url: '/readyz' })).json()
  t.equal(ready.status, 'ready', 'a refused replacement does not make the service unready')
  const still = await score(app, '81.2.69.160')
  t.equal(still.status, 200)
  t.equal(still.body.signals.ip.country, 'FR', 'the data loaded before still answers')

  // a good file again clears the warning
  replace(country, buildMmdb({ databaseType: 'GeoLite2-Country', buildEpoch: built }, [['81.2.69.0/24', { country: { iso_code: 'DE' } }]]))
  await eventually(async () => (await score(app, '81.2.69.160')).body.signals.ip.country === 'DE' ? true : undefined)
  t.same((await readyData(app)).find((s) => s.id === 'country')?.warnings, [])
})

t.test('a garbage Tor list is refused; the old list still flags its exits', async (t) => {
  const { app, data } = await appWithReload(t)
  replace(data.torExitsFile as string, 'Too many requests, slow down\n')
  await eventually(async () => (await readyData(app)).find((s) => s.id === 'tor_exits' && s.warnings.length > 0))
  const res = await score(app, TOR_EXIT)
  t.equal(res.status, 200)
  t.equal(res.body.signals.ip.is_tor, true)
})

t.test('requests in flight while the data is swapped all succeed, each with one consistent version', async (t) => {
  const { app, data } = await appWithReload(t)
  const tor = data.torExitsFile as string
  const withExit = new Date('2026-11-01T00:00:00Z')
  const withoutExit = new Date('2026-11-02T00:00:00Z')
  const pending: Array<ReturnType<typeof score>> = []
  for (let round = 0; round < 8; round++) {
    for (let i = 0; i < 40; i++) pending.push(score(app, NEW_EXIT))
    const listed = round % 2 === 0
    replace(tor, listed ? `${NEW_EXIT}\n` : `${TOR_EXIT}\n`, listed ? withExit : withoutExit)
    const reload = app.ipIntel.reload([tor]) // besides the watcher: both may run, one after the other
    for (let i = 0; i < 40; i++) pending.push(score(app, NEW_EXIT))
    t.match(await reload, [{ status: 'reloaded' }])
  }
  const results = await Promise.all(pending)
  t.equal(results.length, 640)
  t.same(results.filter((r) => r.status !== 200), [], 'no failed request')
  const versions = new Set<string>()
  for (const r of results) {
    const version = r.body.data.tor_exits as string
    versions.add(version)
    if (version === withExit.toISOString()) t.equal(r.body.signals.ip.is_tor, true)
    else if (version === withoutExit.toISOString()) t.equal(r.body.signals.ip.is_tor, false)
    else t.equal(r.body.signals.ip.is_tor, false, 'the list loaded at start does not hold the address')
  }
  t.ok(versions.size >= 2, `requests saw ${versions.size} versions of the list`)
})
