import t from 'tap'
import type { Test } from 'tap'
import { existsSync, rmSync, statSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Value } from 'typebox/value'
import { ReadinessSchema } from '../../src/schemas/health.js'
import { fileName, withoutFolders } from '../../src/data/public-view.js'
import { buildTestApp, rootDir, testData } from '../helpers/app.js'

// GET /readyz is public (no key): it names each data file by its name, never the folders of the
// machine (nor the project's), in any field or warning.

/** every string in a JSON value */
function strings (value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings)
  return []
}

const PATH_LIKE = /(?<![\w.~:/\\-])(?:[A-Za-z]:[\\/]|\\\\|\/)[^\s'"`,;()<>]*/g

/** the absolute paths in a text whose folder exists on this machine */
function machinePaths (text: string): string[] {
  return [...text.matchAll(PATH_LIKE)].map((m) => m[0]).filter((p) => {
    const dir = path.dirname(p)
    return p.length > 1 && existsSync(dir) && statSync(dir).isDirectory()
  })
}

function assertNoPaths (t: Test, body: unknown, folders: readonly string[]): void {
  const found = strings(body).flatMap((s) => [
    ...machinePaths(s).map((p) => `${p} in ${JSON.stringify(s)}`),
    ...folders.filter((f) => s.includes(f)).map((f) => `${f} in ${JSON.stringify(s)}`)
  ])
  t.same(found, [], 'no absolute path, no folder of the machine or the project')
}

t.test('GET /readyz names data files without their folders', async (t) => {
  const data = testData(t)
  const dataDir = path.dirname(data.countryDb as string)
  // a list configured by a relative path, as an operator may write it
  const relative = path.relative(process.cwd(), path.join(rootDir, 'data', 'hosting-asns.txt'))
  const { app } = await buildTestApp(t, { data: { ...data, hostingAsnFiles: [relative] } })

  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  const body = ready.json()
  t.ok(Value.Check(ReadinessSchema, body), 'the readiness schema')
  const folders = [rootDir, dataDir, tmpdir(), path.join(rootDir, 'data')]
  assertNoPaths(t, body, folders)
  const files = Object.fromEntries(body.data.map((s: { id: string, file: string, bundled: boolean }) => [s.id, { file: s.file, bundled: s.bundled }]))
  t.same(files, {
    country: { file: 'app-country.mmdb', bundled: false },
    asn: { file: 'asn.mmdb', bundled: false },
    anonymous: { file: 'anonymous.mmdb', bundled: false },
    tor_exits: { file: 'tor-exits.txt', bundled: false },
    hosting: { file: 'hosting-asns.txt', bundled: true }
  }, 'each source by its file name; the project\'s own hosting list is bundled data')
  t.notOk(ready.body.includes('"path"'), 'no path field')

  // replacements refused on reload: their warnings quote the loaders' messages, folders cut out
  truncateSync(data.countryDb as string, 100)
  rmSync(data.torExitsFile as string)
  const outcomes = await app.ipIntel.reload()
  t.same(outcomes.filter((o) => o.status === 'refused').map((o) => o.role).sort(), ['country', 'tor_exits'])
  t.match(outcomes.find((o) => o.role === 'country')?.error, dataDir, 'the loader names the file with its folder')

  const after = (await app.inject({ method: 'GET', url: '/readyz' })).json()
  assertNoPaths(t, after, folders)
  const warnings = Object.fromEntries(after.data.map((s: { id: string, warnings: string[] }) => [s.id, s.warnings]))
  t.match(warnings.country.at(-1), /^replacement refused at .*: country database app-country\.mmdb is not a MaxMind DB file/)
  t.match(warnings.tor_exits.at(-1), /^replacement refused at .*: tor exit list tor-exits\.txt: file not found; still serving/)
})

t.test('withoutFolders: configured paths and any other absolute path are cut to their file name', async (t) => {
  t.equal(withoutFolders('list data/lists/dc.txt:3: not an ASN', ['data/lists/dc.txt']), 'list dc.txt:3: not an ASN')
  t.equal(withoutFolders("EACCES: permission denied, open '/srv/riskgate/data/geo.mmdb'", []), "EACCES: permission denied, open 'geo.mmdb'")
  t.equal(withoutFolders('database C:\\riskgate\\data\\asn.mmdb is damaged', []), 'database asn.mmdb is damaged')
  t.equal(withoutFolders('from \\\\fileserver\\share\\tor.txt', []), 'from tor.txt')
  t.equal(withoutFolders('run `riskgate data update-tor` (https://check.torproject.org/torbulkexitlist)', []),
    'run `riskgate data update-tor` (https://check.torproject.org/torbulkexitlist)', 'a URL is not a path')
  t.equal(withoutFolders('stale: built 2026-01-02, 64.7 days old, over the 45-day limit', []), 'stale: built 2026-01-02, 64.7 days old, over the 45-day limit')
  t.equal(fileName('/a/b/c.mmdb'), 'c.mmdb')
  t.equal(fileName('c.mmdb'), 'c.mmdb')
})
