import t from 'tap'
import { dataVersions, describeSources, sourceIds } from '../../src/scoring/data-versions.js'
import type { IpDataSource } from '../../src/signals/ip/data-source.js'

const NOW = Date.parse('2026-11-22T00:00:00Z')

function source (name: IpDataSource['name'], path: string, builtAt: string, kind: IpDataSource['kind'] = 'list'): IpDataSource {
  return { name, kind, path, built_at: builtAt, built_at_source: kind === 'mmdb' ? 'metadata' : 'file_mtime', loaded_at: '2026-11-21T00:00:00.000Z', stamp: '1:2:3' }
}

const sources = [
  source('country', '/d/country.mmdb', '2026-11-01T00:00:00.000Z', 'mmdb'),
  source('tor_exits', '/d/tor.txt', '2026-11-10T00:00:00.000Z'),
  source('hosting', '/app/data/hosting-asns.txt', '2026-11-02T00:00:00.000Z'),
  source('hosting', '/etc/riskgate/datacenters.txt', '2026-11-03T00:00:00.000Z'),
  source('hosting', '/etc/other/datacenters.txt', '2026-11-04T00:00:00.000Z'),
  source('hosting', '/etc/third/datacenters.txt', '2026-11-05T00:00:00.000Z')
]

t.test('every source of a role is reported, under a stable key', async (t) => {
  t.same(sourceIds(sources), ['country', 'tor_exits', 'hosting', 'hosting:datacenters.txt', 'hosting:datacenters.txt:2', 'hosting:datacenters.txt:3'])
  t.same(dataVersions(sources), {
    country: '2026-11-01T00:00:00.000Z',
    tor_exits: '2026-11-10T00:00:00.000Z',
    hosting: '2026-11-02T00:00:00.000Z',
    'hosting:datacenters.txt': '2026-11-03T00:00:00.000Z',
    'hosting:datacenters.txt:2': '2026-11-04T00:00:00.000Z',
    'hosting:datacenters.txt:3': '2026-11-05T00:00:00.000Z'
  })
})

t.test('readiness: age, limit and warnings per source', async (t) => {
  const out = describeSources(sources, NOW, {
    maxAgeDays: { mmdb: 45, tor: 2 },
    refused: [{ path: '/etc/riskgate/datacenters.txt', at: '2026-11-21T10:00:00.000Z', error: 'datacenters.txt:3: expected an AS number' }]
  })
  t.equal(out.length, 6)
  t.match(out[0], { id: 'country', name: 'country', kind: 'mmdb', age_days: 21, max_age_days: 45, warnings: [] })
  t.match(out[1], { id: 'tor_exits', age_days: 12, max_age_days: 2, warnings: [/^stale: built 2026-11-10, 12 days old, over the 2-day limit/] })
  t.notOk('max_age_days' in (out[2] ?? {}), 'hosting lists have no age limit')
  t.same(out[2]?.warnings, [])
  t.match(out[3], { id: 'hosting:datacenters.txt', warnings: [/^replacement refused at 2026-11-21T10:00:00.000Z: datacenters\.txt:3/] })
  t.same(out[4]?.warnings, [], 'a refusal belongs to its own file only')
  for (const s of out) t.equal(s.loaded_at, '2026-11-21T00:00:00.000Z')
})

t.test('without limits: no stale warning', async (t) => {
  const out = describeSources(sources, NOW)
  t.same(out.map((s) => s.warnings), [[], [], [], [], [], []])
})
