import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig } from '../../src/config/load-config.js'
import { resolveRedisConnection } from '../../src/redis/connection.js'
import type { RedisConnection } from '../../src/redis/connection.js'

const SECRET = 'pa55-w0rd:with@odd/chars'
const ENCODED = encodeURIComponent(SECRET)

function tempDir (t: { teardown: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-redis-settings-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function redisOf (t: { teardown: (fn: () => void) => void }, env: Record<string, string>): Promise<Awaited<ReturnType<typeof loadConfig>>['config']['redis']> {
  return (await loadConfig({ RISKGATE_DEV_STATE_DIR: path.join(tempDir(t), 'state'), ...env })).config.redis
}

t.test('a standalone URL with an ACL user, an encoded password, a database and TLS', async (t) => {
  const redis = await redisOf(t, { RISKGATE_REDIS_URL: `rediss://riskgate:${ENCODED}@redis.example.net:6380/3` })
  t.same(resolveRedisConnection(redis as RedisConnection), {
    mode: 'standalone',
    endpoint: { host: 'redis.example.net', port: 6380 },
    auth: { username: 'riskgate', password: SECRET },
    db: 3,
    tls: {}
  })
  t.same(resolveRedisConnection({ url: 'redis://[::1]' }), { mode: 'standalone', endpoint: { host: '::1', port: 6379 }, auth: {}, db: 0 })
})

t.test('the password and database beside the URL', async (t) => {
  const redis = await redisOf(t, { RISKGATE_REDIS_URL: 'redis://10.0.0.5:6379', RISKGATE_REDIS_PASSWORD: SECRET, RISKGATE_REDIS_DB: '2' })
  t.same(resolveRedisConnection(redis as RedisConnection), { mode: 'standalone', endpoint: { host: '10.0.0.5', port: 6379 }, auth: { password: SECRET }, db: 2 })
})

t.test('Cluster nodes: host:port, [ipv6]:port and URLs together; one URL\'s credentials and TLS apply to all', async (t) => {
  const redis = await redisOf(t, { RISKGATE_REDIS_CLUSTER_NODES: `rediss://:${ENCODED}@10.0.0.1:7000, 10.0.0.2:7001,[fd00::3]:7002,rediss://:${ENCODED}@node-4.example.net:7003` })
  t.same(redis.clusterNodes, [`rediss://:${ENCODED}@10.0.0.1:7000`, '10.0.0.2:7001', '[fd00::3]:7002', `rediss://:${ENCODED}@node-4.example.net:7003`])
  t.same(resolveRedisConnection(redis as RedisConnection), {
    mode: 'cluster',
    nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: 'fd00::3', port: 7002 }, { host: 'node-4.example.net', port: 7003 }],
    auth: { password: SECRET },
    tls: {}
  })
})

t.test('Sentinel: the sentinels\' own credentials in their URLs, the master\'s beside them', async (t) => {
  const redis = await redisOf(t, {
    RISKGATE_REDIS_SENTINELS: 'redis://sentinel:s3ntinel@10.0.0.1,redis://sentinel:s3ntinel@10.0.0.2:26380,[fd00::3]:26379',
    RISKGATE_REDIS_SENTINEL_NAME: 'riskgate-master',
    RISKGATE_REDIS_USERNAME: 'riskgate',
    RISKGATE_REDIS_PASSWORD: SECRET,
    RISKGATE_REDIS_DB: '1'
  })
  t.same(resolveRedisConnection(redis as RedisConnection), {
    mode: 'sentinel',
    sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: 'fd00::3', port: 26379 }],
    name: 'riskgate-master',
    sentinelAuth: { username: 'sentinel', password: 's3ntinel' },
    auth: { username: 'riskgate', password: SECRET },
    db: 1
  })
})

t.test('a CA file for rediss:// is read at start', async (t) => {
  const dir = tempDir(t)
  const ca = path.join(dir, 'ca.pem')
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
  const redis = await redisOf(t, { RISKGATE_REDIS_URL: 'rediss://127.0.0.1:6380', RISKGATE_REDIS_TLS_CA_FILE: ca })
  const resolved = resolveRedisConnection(redis as RedisConnection)
  t.match(resolved, { tls: { ca: /BEGIN CERTIFICATE/ } })
  const notPem = path.join(dir, 'key.txt')
  writeFileSync(notPem, 'hello')
  await t.rejects(redisOf(t, { RISKGATE_REDIS_URL: 'rediss://127.0.0.1:6380', RISKGATE_REDIS_TLS_CA_FILE: notPem }), /RISKGATE_REDIS_TLS_CA_FILE holds no PEM certificate/)
  await t.rejects(redisOf(t, { RISKGATE_REDIS_URL: 'rediss://127.0.0.1:6380', RISKGATE_REDIS_TLS_CA_FILE: path.join(dir, 'missing.pem') }), /RISKGATE_REDIS_TLS_CA_FILE cannot be read: ENOENT/)
  await t.rejects(redisOf(t, { RISKGATE_REDIS_URL: 'redis://127.0.0.1:6380', RISKGATE_REDIS_TLS_CA_FILE: ca }), /no address is rediss:\/\//)
})

const refused: Array<[string, Record<string, string>, RegExp]> = [
  ['a URL and Cluster nodes', { RISKGATE_REDIS_URL: 'redis://127.0.0.1:6379', RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000' }, /set one of .* not RISKGATE_REDIS_URL and RISKGATE_REDIS_CLUSTER_NODES/],
  ['Cluster nodes and sentinels', { RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000', RISKGATE_REDIS_SENTINELS: '127.0.0.1:26379', RISKGATE_REDIS_SENTINEL_NAME: 'm' }, /not RISKGATE_REDIS_CLUSTER_NODES and RISKGATE_REDIS_SENTINELS/],
  ['sentinels without the master\'s name', { RISKGATE_REDIS_SENTINELS: '127.0.0.1:26379' }, /needs RISKGATE_REDIS_SENTINEL_NAME/],
  ['a master\'s name without sentinels', { RISKGATE_REDIS_SENTINEL_NAME: 'm' }, /RISKGATE_REDIS_SENTINEL_NAME is set without RISKGATE_REDIS_SENTINELS/],
  ['a password without any Redis', { RISKGATE_REDIS_PASSWORD: SECRET }, /\(RISKGATE_REDIS_PASSWORD\) without RISKGATE_REDIS_URL/],
  ['a URL of another scheme', { RISKGATE_REDIS_URL: `http://u:${ENCODED}@127.0.0.1` }, /RISKGATE_REDIS_URL/],
  ['a URL without a host', { RISKGATE_REDIS_URL: `redis://:${ENCODED}@:6379` }, /RISKGATE_REDIS_URL entry 1: redis:\/\/\*\*\*@:6379: /],
  ['a URL whose path is not a database', { RISKGATE_REDIS_URL: `redis://:${ENCODED}@127.0.0.1/zero` }, /the path must be a database number/],
  ['a database in the URL and beside it', { RISKGATE_REDIS_URL: 'redis://127.0.0.1/1', RISKGATE_REDIS_DB: '1' }, /a database both in RISKGATE_REDIS_URL and in RISKGATE_REDIS_DB/],
  ['credentials in the URL and beside it', { RISKGATE_REDIS_URL: `redis://:${ENCODED}@127.0.0.1`, RISKGATE_REDIS_PASSWORD: SECRET }, /credentials both in RISKGATE_REDIS_URL and in RISKGATE_REDIS_USERNAME/],
  ['a user without a password', { RISKGATE_REDIS_URL: 'redis://127.0.0.1', RISKGATE_REDIS_USERNAME: 'riskgate' }, /a Redis user name needs its password/],
  ['a Cluster node without a port', { RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1' }, /RISKGATE_REDIS_CLUSTER_NODES entry 2: 127\.0\.0\.1: expected host:port/],
  ['an IPv6 Cluster node without brackets', { RISKGATE_REDIS_CLUSTER_NODES: '::1:7000' }, /RISKGATE_REDIS_CLUSTER_NODES entry 1: ::1:7000: expected host:port, \[ipv6\]:port/],
  ['an empty Cluster entry', { RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000,,127.0.0.1:7001' }, /without empty entries/],
  ['Cluster nodes with different passwords', { RISKGATE_REDIS_CLUSTER_NODES: `redis://:${ENCODED}@127.0.0.1:7000,redis://:other-${ENCODED}@127.0.0.1:7001` }, /RISKGATE_REDIS_CLUSTER_NODES: the entries carry different credentials/],
  ['Cluster nodes with and without TLS', { RISKGATE_REDIS_CLUSTER_NODES: `rediss://:${ENCODED}@127.0.0.1:7000,redis://:${ENCODED}@127.0.0.1:7001` }, /redis:\/\/ and rediss:\/\/ entries mixed/],
  ['a Cluster with a database', { RISKGATE_REDIS_CLUSTER_NODES: `redis://:${ENCODED}@127.0.0.1:7000/2` }, /a Redis Cluster has only database 0/],
  ['a Cluster with RISKGATE_REDIS_DB', { RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000', RISKGATE_REDIS_DB: '1' }, /a Redis Cluster has only database 0/],
  ['sentinels with different passwords', { RISKGATE_REDIS_SENTINELS: `redis://:${ENCODED}@127.0.0.1:26379,redis://:x@127.0.0.1:26380`, RISKGATE_REDIS_SENTINEL_NAME: 'm' }, /RISKGATE_REDIS_SENTINELS: the entries carry different credentials/],
  ['a sentinel with a database', { RISKGATE_REDIS_SENTINELS: 'redis://127.0.0.1:26379/1', RISKGATE_REDIS_SENTINEL_NAME: 'm' }, /a sentinel has no database/],
  ['a database that is not a number', { RISKGATE_REDIS_URL: 'redis://127.0.0.1', RISKGATE_REDIS_DB: 'one' }, /RISKGATE_REDIS_DB/]
]
for (const [name, env, message] of refused) {
  t.test(`refuses ${name}, and never shows the password`, async (t) => {
    const dir = tempDir(t)
    const err = await loadConfig({ RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'), ...env }).then(() => undefined, (e: unknown) => e)
    t.type(err, ConfigError)
    t.match((err as Error).message, message)
    t.notOk((err as Error).message.includes(SECRET), 'not the password')
    t.notOk((err as Error).message.includes(ENCODED), 'not the password as encoded in the URL')
    t.notOk((err as Error).message.includes('pa55'), 'not a part of it')
  })
}
