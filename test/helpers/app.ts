import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { AppConfig } from '../../src/config/app-config.js'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { rootDir, testData } from './test-data.js'

export { rootDir, testData, TOR_EXIT } from './test-data.js'

export const SCORE_SECRET = 'test-secret-score-0123456789abcdef'
export const ANALYST_SECRET = 'test-secret-analyst-0123456789abcdef'

export const scoreAuth = { authorization: `Bearer ${SCORE_SECRET}` }
export const analystAuth = { authorization: `Bearer ${ANALYST_SECRET}` }

interface Teardown { teardown: (fn: () => unknown) => void }

export function testConfig (data: AppConfig['data'], overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    env: 'test',
    host: '127.0.0.1',
    port: 0,
    workers: 1,
    redis: {},
    rulesDir: path.join(rootDir, 'rules'),
    data,
    apiKeys: parseApiKeys(`merchant:score:${sha256(SCORE_SECRET).toString('hex')},analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`),
    hashKey: 'test-hash-key-0123456789abcdef0123456789',
    omiseWebhookSecrets: [],
    logLevel: 'info',
    deadlineMs: 200,
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
