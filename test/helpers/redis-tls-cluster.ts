import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { pollUntil } from './poll-until.js'
import { spawnRedisServer, stopProcess } from './redis.js'
import type { SpawnedRedis, Teardown } from './redis.js'
import { freeClusterPort } from './redis-cluster.js'
import { tlsPing } from './redis-secure.js'
import { tlsServerArgs } from './redis-tls.js'
import type { TestCertificates } from './redis-tls.js'

const run = promisify(execFile)

/**
 * A real local Redis Cluster of three masters that speaks TLS only (clients and the cluster bus),
 * password-protected, on free ports of 127.0.0.1. Resolves the masters' ports once every node
 * reports cluster_state:ok; everything is killed and removed at teardown.
 */
export async function startTlsCluster (t: Teardown, certificates: TestCertificates, password: string): Promise<number[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-tls-cluster-'))
  const nodes: Array<{ port: number, spawned: SpawnedRedis }> = []
  t.teardown(async () => {
    await Promise.all(nodes.map(async (n) => await stopProcess(n.spawned.child, 'SIGKILL')))
    await rm(dir, { recursive: true, force: true })
  })
  const taken = new Set<number>()
  for (let i = 0; i < 3; i++) {
    const port = await freeClusterPort(taken)
    taken.add(port)
    const nodeDir = path.join(dir, String(port))
    await mkdir(nodeDir)
    nodes.push({
      port,
      spawned: spawnRedisServer(port, nodeDir, [
        ...tlsServerArgs(port, certificates), '--tls-cluster', 'yes', '--tls-replication', 'yes',
        '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
        '--requirepass', password, '--masterauth', password
      ])
    })
  }
  await Promise.all(nodes.map(async (n) => {
    await pollUntil(async () => {
      if (n.spawned.child.exitCode !== null) throw new Error(`redis-server exited: ${n.spawned.output()}`)
      return /^(\+PONG|-NOAUTH)/.test(await tlsPing(n.port, certificates.ca))
    }, `TLS node ${n.port} answering`, 10_000)
  }))
  // redis-cli with TLS, the password through the environment
  const cli = async (...args: string[]): Promise<string> => (await run('redis-cli', ['--tls', '--cacert', certificates.caFile, ...args], {
    timeout: 20_000,
    env: { ...process.env, REDISCLI_AUTH: password }
  })).stdout
  await cli('--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes')
  await pollUntil(async () => {
    for (const n of nodes) if (!/cluster_state:ok/.test(await cli('-p', String(n.port), 'CLUSTER', 'INFO'))) return false
    return true
  }, 'cluster_state:ok on every TLS node')
  return nodes.map((n) => n.port)
}
