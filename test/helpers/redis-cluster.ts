import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Cluster } from 'ioredis'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import { freePort, rawCommand, spawnRedisServer, stopProcess, waitForPong } from './redis.js'
import type { SpawnedRedis, Teardown } from './redis.js'

const run = promisify(execFile)

export interface RedisClusterServer {
  /** host:port of each master, the form of RISKGATE_REDIS_CLUSTER_NODES */
  nodes: string[]
  stop (): Promise<void>
}

/** A port whose cluster bus port (port + 10000) is free as well. */
async function freeClusterPort (taken: Set<number>): Promise<number> {
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

/**
 * A real local Redis Cluster: three masters (no replicas) on free ports of 127.0.0.1, each in its
 * own temporary folder, joined with `redis-cli --cluster create`. Resolves once every node reports
 * cluster_state:ok; everything is killed and removed at teardown.
 */
export async function startRedisCluster (t: Teardown, masters = 3): Promise<RedisClusterServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-cluster-'))
  const servers: Array<{ port: number, spawned: SpawnedRedis }> = []
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => stopProcess(s.spawned.child, 'SIGKILL')))
    await rm(dir, { recursive: true, force: true })
  }
  t.teardown(stop)
  const taken = new Set<number>()
  for (let i = 0; i < masters; i++) {
    const port = await freeClusterPort(taken)
    taken.add(port)
    const nodeDir = path.join(dir, String(port))
    await mkdir(nodeDir)
    const spawned = spawnRedisServer(port, nodeDir, [
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'
    ])
    servers.push({ port, spawned })
  }
  await Promise.all(servers.map((s) => waitForPong(s.spawned, s.port)))
  const nodes = servers.map((s) => `127.0.0.1:${s.port}`)
  await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 })

  const deadline = Date.now() + 20_000
  for (const { port } of servers) {
    for (;;) {
      const info = await rawCommand(port, 'CLUSTER INFO').catch(() => '')
      if (info.includes('cluster_state:ok')) break
      if (Date.now() > deadline) throw new Error(`cluster node ${port} did not reach cluster_state:ok`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return { nodes, stop }
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
