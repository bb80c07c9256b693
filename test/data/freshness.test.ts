import t from 'tap'
import { ageDays, ageLimitOf, DEFAULT_AGE_LIMITS, refusedWarning, staleWarning } from '../../src/data/freshness.js'
import { bundledDataPaths } from '../../src/signals/ip/bundled-data.js'

const NOW = Date.parse('2026-11-22T00:00:00Z')
const limits = { mmdb: 45, tor: 2 }

t.test('limits by role: databases, the Tor list; hosting lists have none', async (t) => {
  t.same(DEFAULT_AGE_LIMITS, { mmdb: 45, tor: 2 })
  t.equal(ageLimitOf({ kind: 'mmdb', name: 'country' }, limits), 45)
  t.equal(ageLimitOf({ kind: 'mmdb', name: 'anonymous' }, limits), 45)
  t.equal(ageLimitOf({ kind: 'list', name: 'tor_exits' }, limits), 2)
  t.equal(ageLimitOf({ kind: 'list', name: 'hosting' }, limits), undefined)
})

t.test('age in days, one decimal', async (t) => {
  t.equal(ageDays('2026-11-21T00:00:00Z', NOW), 1)
  t.equal(ageDays('2026-11-21T12:00:00Z', NOW), 0.5)
  t.equal(ageDays('2026-06-17T19:00:00Z', NOW), 157.2)
})

t.test('stale only beyond the limit, with what to do', async (t) => {
  t.equal(staleWarning({ kind: 'mmdb', name: 'asn', built_at: '2026-10-08T00:00:00.000Z' }, NOW, limits), undefined, '45 days: not yet')
  t.equal(staleWarning({ kind: 'mmdb', name: 'asn', built_at: '2026-10-07T00:00:00.000Z' }, NOW, limits),
    'stale: built 2026-10-07, 46 days old, over the 45-day limit: replace the file with a newer build (riskgate does not manage this file)')
  t.match(staleWarning({ kind: 'mmdb', name: 'asn', path: bundledDataPaths().asnDb, built_at: '2026-10-07T00:00:00.000Z' }, NOW, limits),
    /over the 45-day limit: run `riskgate data update` \(it fetches the newest open data; riskgate uses it instead of the bundled copy from its next start\)$/)
  t.match(staleWarning({ kind: 'mmdb', name: 'country', path: bundledDataPaths().countryDb, built_at: '2026-10-07T00:00:00.000Z' }, NOW, limits),
    /run `riskgate data update` /)
  t.match(staleWarning({ kind: 'list', name: 'tor_exits', built_at: '2026-11-19T00:00:00.000Z' }, NOW, limits),
    /3 days old, over the 2-day limit: run `riskgate data update-tor`/)
  t.equal(staleWarning({ kind: 'list', name: 'hosting', built_at: '2001-01-01T00:00:00.000Z' }, NOW, limits), undefined)
  t.equal(staleWarning({ kind: 'mmdb', name: 'asn', built_at: '2027-01-01T00:00:00.000Z' }, NOW, limits), undefined, 'a future date is not stale')
})

t.test('a refused replacement', async (t) => {
  t.equal(refusedWarning({ at: '2026-11-22T00:00:00.000Z', error: 'boom' }),
    'replacement refused at 2026-11-22T00:00:00.000Z: boom; still serving the data loaded before')
})
