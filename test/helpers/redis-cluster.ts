import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Cluster } from 'ioredis'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import { freePort, rawCommand, spawnRedisServer, stopProcess, waitForPong } from './redis.js'
import type { NodeAccess, SpawnedRedis, Teardown } from './redis.js'
import { pollUntil } from './poll-until.js'
import { startTcpProxy } from './tcp-proxy.js'
import type { TcpProxy } from './tcp-proxy.js'

const run = promisify(execFile)

/** A port whose cluster bus port (port + 10000) is free as well. */
export async function freeClusterPort (taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20000 + Math.floor(Math.random() * 10000)
    if (taken.has(candidate)) continue
    try {
      await freePort(candidate)
      await freePort(candidate + 10000)
      return candidate
    } catch {
      // in use: try another
    }
  }
  throw new Error('no free port pair for a cluster node')
}

export interface RedisClusterOptions {
  /** masters (3) */
  masters?: number
  /** replicas of each master (0) */
  replicasPerMaster?: number
  /**
   * cluster-node-timeout (5000): how long a master may be unreachable before the others mark it
   * failed and its replica takes over on its own. A fault test that pauses a master keeps the pause
   * well under it: an automatic failover loses the writes the paused master acknowledged last.
   */
  nodeTimeoutMs?: number
  /** every node asks for it (requirepass) and replicas give it to their master (masterauth) */
  password?: string
  /** the address every node binds and announces: 127.0.0.1, or ::1 for an IPv6 cluster */
  host?: '127.0.0.1' | '::1'
}

/** One node of the cluster, as its own process. */
export interface ClusterNodeProcess {
  /** its real port on 127.0.0.1 (what it announces may differ: see announceThroughProxies) */
  port: number
  /** SIGSTOP: it answers nothing, neither clients nor the cluster bus, until resume */
  pause: () => void
  /** SIGCONT */
  resume: () => void
}

/** A node as CLUSTER NODES describes it. */
export interface ClusterNodeView {
  id: string
  /** the port it announces */
  port: number
  master: boolean
  /** the id of its master, for a replica */
  masterId: string | undefined
  /** slot ranges it serves, as CLUSTER NODES prints them */
  slots: string[]
}

export interface RedisClusterServer {
  /** host:port (IPv6: [addr]:port) of each master as created, the form of RISKGATE_REDIS_CLUSTER_NODES */
  nodes: string[]
  /** how the test reaches a node: its host and password */
  access: NodeAccess
  /** every node, masters and replicas */
  processes: ClusterNodeProcess[]
  stop (): Promise<void>
}

/** the cluster as the node on `port` sees it */
export async function clusterView (port: number, access: NodeAccess = {}): Promise<ClusterNodeView[]> {
  const reply = await rawCommand(port, 'CLUSTER NODES', access)
  if (!reply.startsWith('$')) throw new Error(`CLUSTER NODES: ${reply.trim()}`)
  return reply.split('\r\n').slice(1).join('\n').split('\n').filter((line) => line.trim() !== '').map((line) => {
    const [id = '', address = '', flags = '', master = '-', , , , , ...slots] = line.trim().split(' ')
    return {
      id,
      port: Number(/:(\d+)@/.exec(address)?.[1]),
      master: flags.split(',').includes('master'),
      masterId: master === '-' ? undefined : master,
      slots
    }
  })
}

/** a field of an INFO-like reply: `command` is e.g. 'CLUSTER INFO' or 'INFO replication' */
async function infoField (port: number, command: string, field: string, access: NodeAccess = {}): Promise<string | undefined> {
  const info = await rawCommand(port, command, access)
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim()
}

/** every node reports cluster_state:ok and every replica's link to its master is up */
async function settled (ports: readonly number[], access: NodeAccess = {}): Promise<boolean> {
  for (const port of ports) {
    if (await infoField(port, 'CLUSTER INFO', 'cluster_state', access) !== 'ok') return false
    if (await infoField(port, 'INFO replication', 'role', access) === 'slave' && await infoField(port, 'INFO replication', 'master_link_status', access) !== 'up') return false
  }
  return true
}

/**
 * A real local Redis Cluster: three masters (no replicas unless asked) on free ports of
 * 127.0.0.1, each in its own temporary folder, joined with `redis-cli --cluster create`. Resolves
 * once every node reports cluster_state:ok and every replica is in sync with its master;
 * everything is killed and removed at teardown.
 */
export async function startRedisCluster (t: Teardown, options: number | RedisClusterOptions = {}): Promise<RedisClusterServer> {
  const { masters = 3, replicasPerMaster = 0, nodeTimeoutMs = 5000, password, host = '127.0.0.1' } = typeof options === 'number' ? { masters: options } : options
  const access: NodeAccess = { host, ...(password !== undefined ? { password } : {}) }
  const hostPort = (port: number): string => host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-cluster-'))
  const servers: Array<{ port: number, spawned: SpawnedRedis }> = []
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => stopProcess(s.spawned.child, 'SIGKILL')))
    await rm(dir, { recursive: true, force: true })
  }
  t.teardown(stop)
  const taken = new Set<number>()
  for (let i = 0; i < masters * (1 + replicasPerMaster); i++) {
    const port = await freeClusterPort(taken)
    taken.add(port)
    const nodeDir = path.join(dir, String(port))
    await mkdir(nodeDir)
    const spawned = spawnRedisServer(port, nodeDir, [
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
      '--bind', host,
      ...(password !== undefined ? ['--requirepass', password, '--masterauth', password] : [])
    ])
    servers.push({ port, spawned })
  }
  await Promise.all(servers.map((s) => waitForPong(s.spawned, s.port, 5000, access)))
  // redis-cli takes an IPv6 node as addr:port, unbracketed
  const all = servers.map((s) => `${host}:${s.port}`)
  // the password through the environment, not the command line
  await run('redis-cli', ['--cluster', 'create', ...all, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], {
    timeout: 20_000,
    env: { ...process.env, ...(password !== undefined ? { REDISCLI_AUTH: password } : {}) }
  })

  const ports = servers.map((s) => s.port)
  await pollUntil(async () => await settled(ports, access), 'cluster_state:ok on every node, every replica in sync')
  const view = await clusterView(ports[0] as number, access)
  const masterPorts = new Set(view.filter((node) => node.master && node.slots.length > 0).map((node) => node.port))
  const nodes = ports.filter((port) => masterPorts.has(port)).map(hostPort)
  return {
    nodes,
    access,
    processes: servers.map(({ port, spawned }) => ({
      port,
      pause: () => { spawned.child.kill('SIGSTOP') },
      resume: () => { spawned.child.kill('SIGCONT') }
    })),
    stop
  }
}

/** the real port of a replica of the master on `masterPort` (ports as announced and real are the same without proxies) */
export async function replicaOf (cluster: RedisClusterServer, masterPort: number): Promise<number> {
  // the master's view learns of its replica by gossip, a moment after the replica is in sync
  let replica: Awaited<ReturnType<typeof clusterView>>[number] | undefined
  await pollUntil(async () => {
    const view = await clusterView(masterPort, cluster.access)
    const master = view.find((node) => node.port === masterPort)
    replica = view.find((node) => node.masterId !== undefined && node.masterId === master?.id)
    return replica !== undefined
  }, `a replica of ${masterPort} in its view`)
  const found = replica as Awaited<ReturnType<typeof clusterView>>[number] | undefined
  if (found === undefined) throw new Error(`no replica of ${masterPort}`)
  if (!cluster.processes.some((p) => p.port === found.port)) throw new Error(`${found.port} is not a node of this cluster`)
  return found.port
}

/**
 * The coordinated manual failover (CLUSTER FAILOVER sent to a replica, without FORCE): the master
 * stops taking writes, the replica catches up with its replication stream, then takes over its
 * slots; no write the master acknowledged is lost. Resolves once every node sees the replica as
 * the master of those slots, the old master as its replica in sync, and the cluster ok.
 */
export async function manualFailover (cluster: RedisClusterServer, replicaPort: number): Promise<void> {
  const before = await clusterView(replicaPort, cluster.access)
  const self = before.find((node) => node.port === replicaPort)
  if (self === undefined || self.masterId === undefined) throw new Error(`${replicaPort} is not a replica`)
  const oldMaster = before.find((node) => node.id === self.masterId)
  const reply = await rawCommand(replicaPort, 'CLUSTER FAILOVER', cluster.access)
  if (!reply.startsWith('+OK')) throw new Error(`CLUSTER FAILOVER: ${reply.trim()}`)
  const ports = cluster.processes.map((p) => p.port)
  await pollUntil(async () => {
    for (const port of ports) {
      const view = await clusterView(port, cluster.access)
      const promoted = view.find((node) => node.id === self.id)
      const demoted = view.find((node) => node.id === oldMaster?.id)
      if (promoted?.master !== true || promoted.slots.length === 0 || demoted?.masterId !== self.id) return false
    }
    return await settled(ports, cluster.access)
  }, `the failover to ${replicaPort}`)
}

/**
 * Puts a TCP proxy (test/helpers/tcp-proxy.ts) in front of every node and makes each node announce
 * its proxy's port (cluster-announce-port; the cluster bus keeps its own port): a Cluster client
 * seeded with the returned nodes reaches every node through its proxy only. For a cluster without
 * replicas (replication would go through the proxies too). Resolves once every node sees every
 * other at its proxy's port.
 */
export async function announceThroughProxies (t: Teardown, cluster: RedisClusterServer): Promise<{ nodes: string[], proxies: TcpProxy[] }> {
  const proxies: TcpProxy[] = []
  const announced = new Map<number, number>()
  for (const { port } of cluster.processes) {
    const proxy = await startTcpProxy(t, port)
    proxies.push(proxy)
    announced.set(port, proxy.port)
    const reply = await rawCommand(port, `CONFIG SET cluster-announce-port ${proxy.port}`, cluster.access)
    if (!reply.startsWith('+OK')) throw new Error(`CONFIG SET cluster-announce-port: ${reply.trim()}`)
  }
  const expected = [...announced.values()].sort()
  await pollUntil(async () => {
    for (const { port } of cluster.processes) {
      const seen = (await clusterView(port, cluster.access)).map((node) => node.port).sort()
      if (seen.join() !== expected.join()) return false
    }
    return true
  }, 'every node announced at its proxy')
  const nodes = cluster.nodes.map((node) => `127.0.0.1:${announced.get(Number(node.split(':')[1])) ?? 0}`)
  return { nodes, proxies }
}

/**
 * A real local Redis Cluster for one test file and a Cluster client connected to it, both closed
 * at teardown. Call it from `t.before`.
 */
export async function connectRedisCluster (t: Teardown): Promise<Cluster> {
  const cluster = await startRedisCluster(t)
  const client = createRedisClient({ clusterNodes: cluster.nodes })
  if (!(client instanceof Cluster)) throw new Error('expected a Cluster client')
  t.teardown(async () => await closeRedis(client))
  if (!await waitForRedis(client, 10_000)) throw new Error('the cluster client did not get ready')
  return client
}
