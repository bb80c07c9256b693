import t from 'tap'
import { renameSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startIpDataReload } from '../../src/data/hot-reload.js'
import { createIpIntel } from '../../src/signals/ip/ip-intel.js'
import { buildMmdb } from '../helpers/mmdb-fixtures.js'
import { eventually } from '../helpers/eventually.js'

interface Line { level: string, obj: Record<string, unknown>, msg: string }

function collector (): { lines: Line[], log: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void, error: (o: object, m: string) => void } } {
  const lines: Line[] = []
  const at = (level: string) => (obj: object, msg: string) => { lines.push({ level, obj: obj as Record<string, unknown>, msg }) }
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } }
}

const asnDb = (asn: number): Buffer => buildMmdb({ databaseType: 'GeoLite2-ASN', buildEpoch: new Date('2026-11-01T00:00:00Z') }, [['1.128.0.0/11', { autonomous_system_number: asn }]])

t.test('replaced files are reloaded and logged; a bad one is refused and logged', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const tor = join(dir, 'tor.txt')
  const asn = join(dir, 'asn.mmdb')
  writeFileSync(asn, asnDb(1221))
  const intel = await createIpIntel({ asnDb: asn, torExitsFile: tor })
  const { lines, log } = collector()
  const watcher = startIpDataReload(intel, { intervalMs: 3_600_000, debounceMs: 20, log })
  t.teardown(async () => {
    await watcher.close()
    await intel.close()
  })

  writeFileSync(`${tor}.new`, '185.220.101.1\n185.220.101.2\n')
  renameSync(`${tor}.new`, tor)
  const reloaded = await eventually(() => lines.find((l) => l.msg === 'ip data reloaded'))
  t.match(reloaded, { level: 'info', obj: { source: 'tor_exits', path: tor, entries: 2 } })
  t.equal(intel.lookup('185.220.101.2').is_tor, true)

  truncateSync(asn, 100)
  const refused = await eventually(() => lines.find((l) => l.level === 'error'))
  t.match(refused, { msg: 'ip data replacement refused: the data loaded before stays', obj: { source: 'asn', path: asn, reason: /asn database .*asn\.mmdb/ } })
  t.equal(intel.lookup('1.128.0.1').asn, 1221)
  t.match(intel.refused, [{ role: 'asn', path: asn }])

  writeFileSync(`${asn}.new`, asnDb(64500))
  renameSync(`${asn}.new`, asn)
  await eventually(() => intel.lookup('1.128.0.1').asn === 64500 ? true : undefined)
  t.same(intel.refused, [])
})

t.test('periodic check only (fs.watch off)', async (t) => {
  const dir = t.testdir({ 'tor.txt': '185.220.101.1\n' })
  const tor = join(dir, 'tor.txt')
  const intel = await createIpIntel({ torExitsFile: tor })
  const { log } = collector()
  const watcher = startIpDataReload(intel, { intervalMs: 20, fsWatch: false, log })
  t.teardown(async () => {
    await watcher.close()
    await intel.close()
  })
  writeFileSync(`${tor}.new`, '185.220.101.3\n')
  renameSync(`${tor}.new`, tor)
  await eventually(() => intel.lookup('185.220.101.3').is_tor === true ? true : undefined)
  t.equal(intel.lookup('185.220.101.1').is_tor, false)
})
