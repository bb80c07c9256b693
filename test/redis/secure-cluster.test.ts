import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { Cluster } from 'ioredis'
import { pingRedis } from '../../src/redis/client.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { rawCommand } from '../helpers/redis.js'
import type { NodeAccess } from '../helpers/redis.js'
import { startRedisCluster } from '../helpers/redis-cluster.js'
import { makeTestCertificates } from '../helpers/redis-tls.js'
import { startTlsCluster } from '../helpers/redis-tls-cluster.js'

// Real password-protected Redis Clusters (requirepass and masterauth on every node, three
// masters), on 127.0.0.1 and on ::1: riskgate takes the nodes in every form of
// RISKGATE_REDIS_CLUSTER_NODES, opens and checks a connection to every master before it says it is
// ready, and /readyz follows each master.

const PASSWORD = 'cluster-Pa55:w0rd'
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

/** the connections riskgate (connection name `riskgate`) holds to the node */
async function riskgateConnections (port: number, access: NodeAccess): Promise<number> {
  const list = await rawCommand(port, 'CLIENT LIST', access)
  return list.split('\n').filter((line) => / name=riskgate /.test(line)).length
}

const portOf = (node: string): number => Number(/:(\d+)$/.exec(node)?.[1])

function noSecretIn (t: Test, logs: readonly string[]): void {
  const all = logs.join('\n')
  t.notOk(all.includes(PASSWORD), 'the password is not in the logs')
  t.notOk(all.includes(enc(PASSWORD)), 'nor its URL-encoded form')
}

async function ipv6Available (): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(0, '::1', () => server.close(() => resolve(true)))
  })
}

t.test('a password-protected cluster: one URL carries the password, every master connected and checked before ready', async (t) => {
  const cluster = await startRedisCluster(t, { password: PASSWORD })
  const [first, ...others] = cluster.nodes
  const clusterNodes = [`redis://:${enc(PASSWORD)}@${first ?? ''}`, ...others]
  for (const node of cluster.nodes) t.equal(await riskgateConnections(portOf(node), cluster.access), 0, `no connection to ${node} yet`)

  const { app, logs } = await buildTestApp(t, { redis: { clusterNodes }, deadlineMs: DEADLINE_MS })
  // before any request: a connection of riskgate's to every master, opened at start
  for (const node of cluster.nodes) t.ok(await riskgateConnections(portOf(node), cluster.access) >= 1, `connected to master ${node} at start`)
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis-cluster', reachable: true } })
  t.match(await pingRedis(app.redis as Cluster), { ok: true, masters: 3 }, 'every master answered PING')
  t.same(await score(app), { status: 200, degraded: [] }, 'a full answer')

  // a master that stops answering makes the instance not ready; back, ready again
  const second = cluster.processes.find((p) => p.port === portOf(cluster.nodes[1] as string))
  if (second === undefined) throw new Error('no second master')
  second.pause()
  t.match(await readyz(app), { status: 'degraded', store: { reachable: false } }, 'one master silent: degraded')
  second.resume()
  t.match(await readyz(app), { status: 'ready', store: { reachable: true } })
  noSecretIn(t, logs)
})

t.test('a master\'s connection dropped: the readiness check opens it again, before a request needs it', async (t) => {
  const cluster = await startRedisCluster(t, { password: PASSWORD })
  const { app } = await buildTestApp(t, { redis: { clusterNodes: cluster.nodes, password: PASSWORD }, deadlineMs: DEADLINE_MS })
  const client = app.redis as Cluster
  const port = portOf(cluster.nodes[2] as string)
  const gone = new Promise<void>((resolve) => client.once('-node', () => resolve()))
  const killed = await rawCommand(port, 'CLIENT KILL TYPE normal', cluster.access)
  t.match(killed, /^:[1-9]/, 'the master closed riskgate\'s connection')
  await gone
  t.equal(client.nodes('master').length, 2, 'the client dropped that master')
  t.match(await readyz(app), { status: 'ready', store: { reachable: true } })
  t.equal(client.nodes('master').length, 3, 'the check opened it again')
  t.ok(await riskgateConnections(port, cluster.access) >= 1)
})

t.test('a wrong cluster password: degraded at start, answers 200, no password logged', async (t) => {
  const cluster = await startRedisCluster(t, { password: PASSWORD })
  const { app, logs } = await buildTestApp(t, { redis: { clusterNodes: cluster.nodes.map((node) => `redis://:wrong-${enc(PASSWORD)}@${node}`) }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'degraded', store: { kind: 'redis-cluster', reachable: false } })
  t.equal((await score(app)).status, 200)
  t.notOk(logs.join('\n').includes(`wrong-${PASSWORD}`), 'the wrong password is not logged either')
  noSecretIn(t, logs)
})

const IPV6 = await ipv6Available()
t.test('an IPv6 cluster on ::1: [::1]:port URLs', { skip: !IPV6 && '::1 is not available on this machine' }, async (t) => {
  const cluster = await startRedisCluster(t, { password: PASSWORD, host: '::1' })
  t.match(cluster.nodes[0], /^\[::1\]:\d+$/)
  const clusterNodes = cluster.nodes.map((node) => `redis://:${enc(PASSWORD)}@${node}`)
  const { app, logs } = await buildTestApp(t, { redis: { clusterNodes }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis-cluster', reachable: true } })
  for (const node of cluster.nodes) t.ok(await riskgateConnections(portOf(node), cluster.access) >= 1, `connected to ${node}`)
  t.same(await score(app), { status: 200, degraded: [] })
  noSecretIn(t, logs)
})

t.test('a TLS-only cluster (clients and the cluster bus): rediss:// nodes trusting the test CA', async (t) => {
  const certificates = await makeTestCertificates(t)
  const ports = await startTlsCluster(t, certificates, PASSWORD)
  const clusterNodes = [`rediss://:${enc(PASSWORD)}@127.0.0.1:${ports[0] ?? 0}`, ...ports.slice(1).map((port) => `127.0.0.1:${port}`)]
  const { app, logs } = await buildTestApp(t, { redis: { clusterNodes, tlsCaFile: certificates.caFile }, deadlineMs: DEADLINE_MS })
  t.match(await readyz(app), { status: 'ready', store: { kind: 'redis-cluster', reachable: true } })
  t.match(await pingRedis(app.redis as Cluster), { ok: true, masters: 3 }, 'every master answered PING over TLS')
  t.same(await score(app), { status: 200, degraded: [] })
  noSecretIn(t, logs)
})
