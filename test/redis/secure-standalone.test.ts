import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../../src/config/load-config.js'
import { closeRedis } from '../../src/redis/client.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { startSecureRedis } from '../helpers/redis-secure.js'
import { makeTestCertificates } from '../helpers/redis-tls.js'

// Real password-protected redis-servers (requirepass, an ACL user, TLS with a CA made for the
// test): riskgate connects with the credentials, database and TLS of its settings, says so in
// /readyz, and never writes a password to its logs.

const PASSWORD = 'default-Pa55:w@rd/%'
const USER = { name: 'riskgate', password: 'acl-Pa55-w0rd' }
const url = (auth: string, port: number, db = 0, scheme = 'redis'): string => `${scheme}://${auth}@127.0.0.1:${port}/${db}`
const enc = encodeURIComponent
// these tests are about reaching Redis, not latency: a cold first request on a busy machine may take
// longer than a production deadline, and must still get a full answer
const DEADLINE_MS = 5000

async function score (app: FastifyInstance): Promise<{ status: number, degraded: string[] }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
  return { status: res.statusCode, degraded: res.json().degraded ?? [] }
}

async function readyz (app: FastifyInstance): Promise<{ status: string, store: { kind: string, reachable: boolean } }> {
  return (await app.inject({ method: 'GET', url: '/readyz' })).json()
}

/** an admin connection of the test's own, closed at teardown */
function admin (t: Test, port: number, options: { username?: string, password: string, db?: number }): Redis {
  const client = new Redis({ host: '127.0.0.1', port, ...options })
  t.teardown(async () => await closeRedis(client))
  return client
}

function noSecretIn (t: Test, logs: readonly string[], ...secrets: string[]): void {
  const all = logs.join('\n')
  for (const secret of secrets) {
    t.notOk(all.includes(secret), 'the password is not in the logs')
    t.notOk(all.includes(enc(secret)), 'nor its URL-encoded form')
  }
}

t.test('requirepass: the password and database of the URL', async (t) => {
  const redis = await startSecureRedis(t, { password: PASSWORD })
  const { app, logs } = await buildTestApp(t, { redis: { url: url(`:${enc(PASSWORD)}`, redis.port, 2) }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis', reachable: true } })
  t.same(await score(app), { status: 200, degraded: [] }, 'a full answer: velocity and idempotency in Redis')
  const db2 = admin(t, redis.port, { password: PASSWORD, db: 2 })
  const db0 = admin(t, redis.port, { password: PASSWORD, db: 0 })
  t.ok(await db2.dbsize() > 0, 'the keys are in database 2')
  t.equal(await db0.dbsize(), 0, 'none in database 0')
  noSecretIn(t, logs, PASSWORD)
})

t.test('an ACL user from the environment: the URL without credentials, RISKGATE_REDIS_USERNAME / _PASSWORD / _DB beside it', async (t) => {
  const redis = await startSecureRedis(t, { password: PASSWORD, user: USER })
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-redis-env-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { config } = await loadConfig({
    RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'),
    RISKGATE_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    RISKGATE_REDIS_USERNAME: USER.name,
    RISKGATE_REDIS_PASSWORD: USER.password,
    RISKGATE_REDIS_DB: '1'
  })
  const { app, logs } = await buildTestApp(t, { redis: config.redis, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis', reachable: true } })
  t.same(await score(app), { status: 200, degraded: [] })
  const client = app.redis as Redis
  t.equal(await client.call('ACL', 'WHOAMI'), USER.name, 'connected as the ACL user')
  t.ok(await admin(t, redis.port, { username: USER.name, password: USER.password, db: 1 }).dbsize() > 0, 'the keys are in database 1')
  noSecretIn(t, logs, USER.password, PASSWORD)
})

t.test('a wrong password: riskgate starts degraded, answers 200 without velocity, logs no password', async (t) => {
  const redis = await startSecureRedis(t, { password: PASSWORD })
  const wrong = 'not-the-Pa55word'
  const { app, logs } = await buildTestApp(t, { redis: { url: url(`:${wrong}`, redis.port) }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'degraded', store: { kind: 'redis', reachable: false } })
  const answer = await score(app)
  t.equal(answer.status, 200, 'never a 5xx')
  t.same(answer.degraded, ['velocity', 'idempotency'])
  t.match(logs.join('\n'), /redis not reachable at start/)
  noSecretIn(t, logs, wrong, PASSWORD)
})

t.test('rediss:// against a TLS-only redis-server, trusting the test CA (RISKGATE_REDIS_TLS_CA_FILE)', async (t) => {
  const certificates = await makeTestCertificates(t)
  const redis = await startSecureRedis(t, { password: PASSWORD, tls: certificates })
  const { app, logs } = await buildTestApp(t, { redis: { url: url(`:${enc(PASSWORD)}`, redis.port, 0, 'rediss'), tlsCaFile: certificates.caFile }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis', reachable: true } })
  t.same(await score(app), { status: 200, degraded: [] })
  noSecretIn(t, logs, PASSWORD)

  // without the CA, the server's certificate is not trusted: no connection, degraded, no crash
  const { app: untrusting, logs: untrustingLogs } = await buildTestApp(t, { redis: { url: url(`:${enc(PASSWORD)}`, redis.port, 0, 'rediss') }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(untrusting), { status: 'degraded', store: { reachable: false } })
  t.equal((await score(untrusting)).status, 200)
  t.match(untrustingLogs.join('\n'), /certificate/, 'the TLS failure is logged')
  noSecretIn(t, untrustingLogs, PASSWORD)

  // and plain redis:// to the TLS port gets nowhere either
  const { app: plain } = await buildTestApp(t, { redis: { url: url(`:${enc(PASSWORD)}`, redis.port) }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(plain), { status: 'degraded' })
})
