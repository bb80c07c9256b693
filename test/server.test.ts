import t from 'tap'
import { once } from 'node:events'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '../src/auth/api-keys.js'
import { freePort } from './helpers/redis.js'
import { rootDir } from './helpers/test-data.js'
import { startServerProcess } from './helpers/server-process.js'
import { createTestPki } from './helpers/certificates.js'
import { handshake, httpsRequest } from './helpers/tls-client.js'
import type { HttpsAnswer } from './helpers/tls-client.js'

const ANALYST_SECRET = 'test-secret-analyst-server-0123456789'

t.test('SIGHUP reloads the rule set, audited as SIGHUP, and the server keeps serving; SIGTERM closes it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-server-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const rulesDir = path.join(dir, 'rules')
  cpSync(path.join(rootDir, 'rules'), rulesDir, { recursive: true })
  const port = await freePort()
  const server = startServerProcess(t, ['--import', 'tsx', path.join(rootDir, 'src', 'server.ts')], {
    NODE_ENV: 'test',
    RISKGATE_HOST: '127.0.0.1',
    RISKGATE_PORT: String(port),
    RISKGATE_RULES_DIR: rulesDir,
    RISKGATE_API_KEYS: `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
    RISKGATE_HASH_KEY: 'test-hash-key-server-0123456789abcdef',
    RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'),
    // about reloads: a test machine busy enough to hold the event loop up must not shed these requests
    RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0'
  })
  const { child, exited, until } = server
  const closed = once(child, 'close')

  const base = `http://127.0.0.1:${port}`
  const get = async (url: string) => await fetch(base + url, { headers: { authorization: `Bearer ${ANALYST_SECRET}` } })

  await until(async () => (await fetch(`${base}/healthz`)).ok, 'the server start')
  const before = await (await get('/v1/rules')).json() as { version: string, hash: string }

  const file = path.join(rulesDir, 'ruleset.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: .*$/m, 'version: "sighup-test.1"'))
  child.kill('SIGHUP')
  await until(async () => ((await (await get('/v1/rules/audit')).json()) as { entries: unknown[] }).entries.length === 1, 'the audited reload')

  const entries = ((await (await get('/v1/rules/audit')).json()) as { entries: Array<{ actor: string, result: string, previous: { version: string }, loaded: { version: string } }> }).entries
  t.equal(entries[0]?.actor, 'SIGHUP')
  t.equal(entries[0]?.result, 'applied')
  t.equal(entries[0]?.previous.version, before.version)
  t.equal(entries[0]?.loaded.version, 'sighup-test.1')
  t.equal(((await (await get('/v1/rules')).json()) as { version: string }).version, 'sighup-test.1')
  t.equal(child.exitCode, null, 'still running after SIGHUP')

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM closes it cleanly')
  // stdout is written in batches (src/log-stream.ts): what was logged up to the exit is all there
  await closed
  const lines = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string, req?: { route?: string } })
  t.ok(lines.some((l) => l.msg === 'request completed' && l.req?.route === '/v1/rules/audit'), 'the request lines')
  t.equal(lines[lines.length - 1]?.msg, 'closing', 'and the last line, logged as it closed')
})

t.test('HTTPS from the environment: the server listens with TLS; a certificate without its key stops the start', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-server-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pki = await createTestPki(t)
  const server = await pki.issue('server', { cn: 'localhost', serial: 'C001', san: 'IP:127.0.0.1,DNS:localhost', usage: 'serverAuth' })
  const env = {
    NODE_ENV: 'test',
    RISKGATE_HOST: '127.0.0.1',
    RISKGATE_API_KEYS: `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
    RISKGATE_HASH_KEY: 'test-hash-key-server-0123456789abcdef',
    RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'),
    RISKGATE_TLS_CERT_FILE: server.cert
  }
  const entry = ['--import', 'tsx', path.join(rootDir, 'src', 'server.ts')]

  const refused = startServerProcess(t, entry, { ...env, RISKGATE_PORT: String(await freePort()) })
  t.equal(await refused.exited, 78, 'a configuration error (EX_CONFIG)')
  t.match(refused.output(), /set both RISKGATE_TLS_CERT_FILE and RISKGATE_TLS_KEY_FILE/)

  const port = await freePort()
  const { child, exited, until, output } = startServerProcess(t, entry, { ...env, RISKGATE_PORT: String(port), RISKGATE_TLS_KEY_FILE: server.key })
  let health: HttpsAnswer | undefined
  await until(async () => {
    health = await httpsRequest(port, pki.ca.cert, { path: '/healthz' })
    return true
  }, 'the HTTPS server start')
  t.equal(health?.status, 200)
  t.equal((await handshake(port, pki.ca.cert)).ok, true)
  t.match(output(), /"msg":"serving HTTPS"/)
  t.match(output(), /"serial":"C001"/)
  child.kill('SIGTERM')
  t.equal(await exited, 0)
})
