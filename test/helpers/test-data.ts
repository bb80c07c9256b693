import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { AppConfig } from '../../src/config/app-config.js'
import { double } from '../../src/mmdb/data-types.js'
import type { MmdbValue } from '../../src/mmdb/data-types.js'
import { writeIpFixtures, writeMmdb } from './mmdb-fixtures.js'

// Kept apart from app.ts, which loads the whole service (Fastify and its plugins): a test that
// needs only these does not pay for loading it.

export const TOR_EXIT = '185.220.101.7'

/** the project's root folder */
export const rootDir = path.resolve(import.meta.dirname, '..', '..')

interface Teardown { teardown: (fn: () => unknown) => void }

/** the cities the City database of `testData(t, { locations: true })` places its addresses in */
export const TEST_LOCATIONS = {
  '1.128.0.0/11': { city: 'Sydney', latitude: -33.86785, longitude: 151.20732 },
  '81.2.69.0/24': { city: 'London', latitude: 51.50853, longitude: -0.12574 },
  '3.0.0.0/9': { city: 'Ashburn', latitude: 39.04372, longitude: -77.48749 }
} as const

/**
 * IP data built by the project's own MMDB writer, plus a Tor exit list, in a temp folder.
 * `locations`: the country database is a City database placing its addresses in TEST_LOCATIONS
 * (the app then loads the cities table, for ip_billing_distance_km); else a Country database.
 */
export function testData (t: Teardown, options: { locations?: boolean } = {}): AppConfig['data'] {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-app-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const fixtures = writeIpFixtures(dir)
  const located = (network: keyof typeof TEST_LOCATIONS): Record<string, MmdbValue> => {
    if (options.locations !== true) return {}
    const { city, latitude, longitude } = TEST_LOCATIONS[network]
    return { city: { names: { en: city } }, location: { latitude: double(latitude), longitude: double(longitude) } }
  }
  // country data for the addresses the app tests use (GeoIP2 City and Country shape); 192.168/16 is
  // mapped to AU on purpose: a private address must never be looked up
  const countryDb = writeMmdb(dir, 'app-country.mmdb', { databaseType: options.locations === true ? 'GeoLite2-City' : 'GeoLite2-Country', buildEpoch: Date.UTC(2026, 9, 1) / 1000, languages: ['en'] }, [
    ['1.128.0.0/11', { country: { iso_code: 'AU' }, ...located('1.128.0.0/11') }],
    ['81.2.69.0/24', { country: { iso_code: 'GB' }, ...located('81.2.69.0/24') }],
    ['185.220.101.0/24', { country: { iso_code: 'DE' } }],
    ['3.0.0.0/9', { country: { iso_code: 'US' }, ...located('3.0.0.0/9') }],
    ['192.168.0.0/16', { country: { iso_code: 'AU' } }]
  ])
  const torExitsFile = path.join(dir, 'tor-exits.txt')
  writeFileSync(torExitsFile, `# test list\n${TOR_EXIT}\n`)
  return {
    countryDb,
    asnDb: fixtures.asn,
    anonymousDb: fixtures.anonymous,
    torExitsFile,
    hostingAsnFiles: [path.join(rootDir, 'data', 'hosting-asns.txt')]
  }
}
