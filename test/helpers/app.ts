import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { AppConfig } from '../../src/config/app-config.js'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { writeIpFixtures, writeMmdb } from './mmdb-fixtures.js'

export const SCORE_SECRET = 'test-secret-score-0123456789abcdef'
export const ANALYST_SECRET = 'test-secret-analyst-0123456789abcdef'
export const TOR_EXIT = '185.220.101.7'

export const scoreAuth = { authorization: `Bearer ${SCORE_SECRET}` }
export const analystAuth = { authorization: `Bearer ${ANALYST_SECRET}` }

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

export function testConfig (data: AppConfig['data'], overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    env: 'test',
    host: '127.0.0.1',
    port: 0,
    redis: {},
    rulesDir: path.join(rootDir, 'rules'),
    data,
    apiKeys: parseApiKeys(`merchant:score:${sha256(SCORE_SECRET).toString('hex')},analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`),
    hashKey: 'test-hash-key-0123456789abcdef0123456789',
    omiseWebhookSecrets: [],
    logLevel: 'info',
    deadlineMs: 200,
    decisionTtlSeconds: 3600,
    ...overrides
  }
}

export interface TestApp {
  app: FastifyInstance
  /** every log line the app wrote */
  logs: string[]
}

export async function buildTestApp (t: Teardown, overrides: Partial<AppConfig> = {}): Promise<TestApp> {
  const logs: string[] = []
  const app = await buildApp(testConfig(testData(t), overrides), { logStream: { write: (line) => { logs.push(line) } } })
  t.teardown(() => app.close())
  return { app, logs }
}

let seq = 0
/** A realistic charge context; each call gets a fresh charge_id. */
export function charge (extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq++
  return {
    charge_id: `ch_test_${process.pid}_${seq}`,
    amount: 125_000,
    currency: 'THB',
    ip: '1.128.0.10',
    email: 'somchai@example.co.th',
    customer_id: 'cus_1',
    card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: 'fp_abc', brand: 'Visa', funding: 'credit' },
    billing: { name: 'Somchai', line1: '1 Sukhumvit Rd', city: 'Bangkok', postal_code: '10110', country: 'AU' },
    ...extra
  }
}
