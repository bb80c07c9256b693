import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { ConfigError, loadConfig } from '../../src/config/load-config.js'
import { sha256 } from '../../src/auth/api-keys.js'

const KEYS = `merchant:score:${sha256('a').toString('hex')},analyst:analyst:${sha256('b').toString('hex')}`

const load = async (t: { teardown: (fn: () => void) => void }, env: Record<string, string>): ReturnType<typeof loadConfig> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return await loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_API_KEYS: KEYS, ...env })
}

const TLS = { RISKGATE_TLS_CERT_FILE: '/etc/riskgate/tls.pem', RISKGATE_TLS_KEY_FILE: '/etc/riskgate/tls.key' }
const MTLS = { ...TLS, RISKGATE_TLS_CLIENT_CA_FILE: '/etc/riskgate/clients-ca.pem', RISKGATE_TLS_CLIENT_AUTH: 'optional' }

t.test('TLS settings', async (t) => {
  t.equal((await load(t, {})).config.tls, undefined, 'plain HTTP by default')
  t.same((await load(t, TLS)).config.tls, { certFile: TLS.RISKGATE_TLS_CERT_FILE, keyFile: TLS.RISKGATE_TLS_KEY_FILE })
  const mtls = (await load(t, {
    ...MTLS,
    RISKGATE_TLS_CLIENT_KEYS: 'merchant-a-backend:merchant, DNS:API.Merchant-B.example:merchant ,urn:example:tool:analyst'
  })).config.tls
  t.same(mtls?.client, {
    caFile: MTLS.RISKGATE_TLS_CLIENT_CA_FILE,
    auth: 'optional',
    keys: [
      { field: 'cn', value: 'merchant-a-backend', keyId: 'merchant' },
      { field: 'dns', value: 'api.merchant-b.example', keyId: 'merchant' },
      { field: 'cn', value: 'urn:example:tool', keyId: 'analyst' }
    ]
  }, 'a CN, a DNS name (lower-cased), a CN with colons: the last colon separates the key id')
  t.same((await load(t, { ...MTLS, RISKGATE_TLS_CLIENT_AUTH: 'required' })).config.tls?.client, { caFile: MTLS.RISKGATE_TLS_CLIENT_CA_FILE, auth: 'required', keys: [] })
})

const refused: Array<[string, Record<string, string>, RegExp]> = [
  ['a certificate without its key', { RISKGATE_TLS_CERT_FILE: '/c.pem' }, /set both RISKGATE_TLS_CERT_FILE and RISKGATE_TLS_KEY_FILE/],
  ['a key without its certificate', { RISKGATE_TLS_KEY_FILE: '/k.pem' }, /set both RISKGATE_TLS_CERT_FILE and RISKGATE_TLS_KEY_FILE/],
  ['a client CA without HTTPS', { RISKGATE_TLS_CLIENT_CA_FILE: '/ca.pem', RISKGATE_TLS_CLIENT_AUTH: 'required' }, /need HTTPS/],
  ['a client CA without RISKGATE_TLS_CLIENT_AUTH', { ...TLS, RISKGATE_TLS_CLIENT_CA_FILE: '/ca.pem' }, /both RISKGATE_TLS_CLIENT_CA_FILE and RISKGATE_TLS_CLIENT_AUTH/],
  ['RISKGATE_TLS_CLIENT_AUTH without a CA', { ...TLS, RISKGATE_TLS_CLIENT_AUTH: 'optional' }, /both RISKGATE_TLS_CLIENT_CA_FILE and RISKGATE_TLS_CLIENT_AUTH/],
  ['an unknown client auth mode', { ...TLS, RISKGATE_TLS_CLIENT_CA_FILE: '/ca.pem', RISKGATE_TLS_CLIENT_AUTH: 'maybe' }, /RISKGATE_TLS_CLIENT_AUTH/],
  ['client keys without mutual TLS', { ...TLS, RISKGATE_TLS_CLIENT_KEYS: 'a:merchant' }, /RISKGATE_TLS_CLIENT_KEYS needs mutual TLS/],
  ['client keys naming an unknown key', { ...MTLS, RISKGATE_TLS_CLIENT_KEYS: 'a:nobody' }, /entry 1: no API key "nobody"/],
  ['a client keys entry without a key id', { ...MTLS, RISKGATE_TLS_CLIENT_KEYS: 'a:merchant,just-a-name' }, /entry 2: expected/],
  ['a certificate name mapped twice', { ...MTLS, RISKGATE_TLS_CLIENT_KEYS: 'a:merchant,a:analyst' }, /entry 2: "a" is mapped twice/],
  ['an empty DNS name', { ...MTLS, RISKGATE_TLS_CLIENT_KEYS: 'DNS::merchant' }, /the DNS name is empty/],
  ['an event loop utilization over 1', { RISKGATE_SHED_MAX_EVENT_LOOP_UTILIZATION: '1.5' }, /RISKGATE_SHED_MAX_EVENT_LOOP_UTILIZATION/],
  ['a negative event loop delay', { RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '-1' }, /RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS/],
  ['a Retry-After of 0', { RISKGATE_SHED_RETRY_AFTER_SECONDS: '0' }, /RISKGATE_SHED_RETRY_AFTER_SECONDS/]
]
for (const [name, env, message] of refused) {
  t.test(`refuses ${name}`, async (t) => {
    const err = await load(t, env).then(() => undefined, (e: unknown) => e)
    t.type(err, ConfigError)
    t.match((err as Error).message, message)
  })
}

t.test('load shedding settings', async (t) => {
  const defaults = (await load(t, {})).config.shedding
  t.same(defaults, {
    maxEventLoopDelayMs: 50,
    maxHeapUsedBytes: Math.floor(getHeapStatistics().heap_size_limit * 0.9),
    maxEventLoopUtilization: 0,
    retryAfterSeconds: 1
  }, 'on by default: event loop delay and 90% of the heap limit')
  t.same((await load(t, {
    RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    RISKGATE_SHED_MAX_HEAP_MB: '0',
    RISKGATE_SHED_MAX_EVENT_LOOP_UTILIZATION: '0.98',
    RISKGATE_SHED_RETRY_AFTER_SECONDS: '5'
  })).config.shedding, { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxEventLoopUtilization: 0.98, retryAfterSeconds: 5 })
  t.equal((await load(t, { RISKGATE_SHED_MAX_HEAP_MB: '512' })).config.shedding?.maxHeapUsedBytes, 512 * 1024 * 1024)
})
