import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { AppConfig } from '../../src/config/app-config.js'
import { writeIpFixtures, writeMmdb } from './mmdb-fixtures.js'

// Kept apart from app.ts, which loads the whole service (Fastify and its plugins): a test that
// needs only these does not pay for loading it.

export const TOR_EXIT = '185.220.101.7'

/** the project's root folder */
export const rootDir = path.resolve(import.meta.dirname, '..', '..')

interface Teardown { teardown: (fn: () => unknown) => void }

/** IP data built by the project's own MMDB writer, plus a Tor exit list, in a temp folder. */
export function testData (t: Teardown): AppConfig['data'] {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-app-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const fixtures = writeIpFixtures(dir)
  // country data for the addresses the app tests use (GeoIP2 City shape); 192.168/16 is mapped to
  // AU on purpose: a private address must never be looked up
  const countryDb = writeMmdb(dir, 'app-country.mmdb', { databaseType: 'GeoLite2-City', buildEpoch: Date.UTC(2026, 9, 1) / 1000, languages: ['en'] }, [
    ['1.128.0.0/11', { country: { iso_code: 'AU' } }],
    ['81.2.69.0/24', { country: { iso_code: 'GB' } }],
    ['185.220.101.0/24', { country: { iso_code: 'DE' } }],
    ['3.0.0.0/9', { country: { iso_code: 'US' } }],
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
