import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { closeRedis } from '../../src/redis/client.js'
import { pollUntil } from './poll-until.js'
import { freePort, rawCommand, spawnRedisServer, stopProcess, waitForPong } from './redis.js'
import type { NodeAccess, SpawnedRedis, Teardown } from './redis.js'

export interface SentinelSetupOptions {
  /** the master name the sentinels monitor ('riskgate') */
  name?: string
  /** requirepass and masterauth of the master and its replica */
  password?: string
  /** requirepass of the sentinels themselves (and sentinel-pass between them) */
  sentinelPassword?: string
  /** how long the master may be silent before a sentinel thinks it down (1000) */
  downAfterMs?: number
  /** failover-timeout (3000): also, twice it, how long before a failed election is tried again */
  failoverTimeoutMs?: number
}

export interface SentinelSetup {
  name: string
  /** host:port of each sentinel, the form of RISKGATE_REDIS_SENTINELS */
  sentinels: string[]
  /** the data nodes' ports: the master first, then the replica, as started */
  ports: number[]
  /** how the test reaches a data node */
  access: NodeAccess
  /** the master's port, as every sentinel names it (throws when they disagree) */
  masterPort: () => Promise<number>
  /** SIGKILL of a data node */
  kill: (port: number) => Promise<void>
  /** resolves once every sentinel names `port` the master and it says it is one */
  masterIs: (port: number) => Promise<void>
  /** resolves once `port` is a replica of `masterPort`, its link up */
  replicaInSync: (port: number, masterPort: number) => Promise<void>
  /** SENTINEL FAILOVER: one sentinel promotes the replica at once, without asking the others */
  failover: () => Promise<void>
}

const HOST = '127.0.0.1'
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

function spawnSentinel (configFile: string): ChildProcess {
  const child = spawn('redis-sentinel', [configFile], { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  // drained, never read: a full pipe would block the process
  child.stdout?.resume()
  child.stderr?.resume()
  return child
}

function asRecord (flat: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!Array.isArray(flat)) return out
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1])
  return out
}

/**
 * A real Sentinel setup on free ports of 127.0.0.1: one master and one replica (redis-server,
 * password-protected when asked) and three `redis-sentinel` processes monitoring the master with
 * quorum 2, a short down-after-milliseconds and failover-timeout. Resolves once every sentinel
 * knows the replica and the two other sentinels; everything is killed and removed at teardown.
 */
export async function startSentinelSetup (t: Teardown, options: SentinelSetupOptions = {}): Promise<SentinelSetup> {
  const { name = 'riskgate', password, sentinelPassword, downAfterMs = 1000, failoverTimeoutMs = 3000 } = options
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-sentinel-'))
  const data: Array<{ port: number, spawned: SpawnedRedis }> = []
  const sentinels: Array<{ port: number, child: ChildProcess }> = []
  const admins: Redis[] = []
  t.teardown(async () => {
    await Promise.all(admins.map(async (client) => await closeRedis(client)))
    await Promise.all([...sentinels.map(async (s) => await stopProcess(s.child, 'SIGKILL')), ...data.map(async (d) => await stopProcess(d.spawned.child, 'SIGKILL'))])
    await rm(dir, { recursive: true, force: true })
  })
  const access: NodeAccess = password !== undefined ? { password } : {}
  const auth = password !== undefined ? ['--requirepass', password, '--masterauth', password] : []

  const masterPort = await freePort()
  await mkdir(path.join(dir, 'master'))
  data.push({ port: masterPort, spawned: spawnRedisServer(masterPort, path.join(dir, 'master'), auth) })
  let replicaPort = await freePort()
  while (replicaPort === masterPort) replicaPort = await freePort()
  await mkdir(path.join(dir, 'replica'))
  data.push({ port: replicaPort, spawned: spawnRedisServer(replicaPort, path.join(dir, 'replica'), [...auth, '--replicaof', HOST, String(masterPort)]) })
  await Promise.all(data.map(async (d) => await waitForPong(d.spawned, d.port, 5000, access)))
  await pollUntil(async () => /master_link_status:up/.test(await rawCommand(replicaPort, 'INFO replication', access)), 'the replica in sync')

  const taken = new Set([masterPort, replicaPort])
  for (let i = 0; i < 3; i++) {
    let port = await freePort()
    while (taken.has(port)) port = await freePort()
    taken.add(port)
    const sentinelDir = path.join(dir, `sentinel-${i}`)
    await mkdir(sentinelDir)
    const configFile = path.join(sentinelDir, 'sentinel.conf')
    await writeFile(configFile, [
      `port ${port}`,
      `bind ${HOST}`,
      `dir ${sentinelDir}`,
      'loglevel warning',
      'sentinel resolve-hostnames no',
      `sentinel monitor ${name} ${HOST} ${masterPort} 2`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
      `sentinel parallel-syncs ${name} 1`,
      ...(password !== undefined ? [`sentinel auth-pass ${name} ${password}`] : []),
      ...(sentinelPassword !== undefined ? [`requirepass ${sentinelPassword}`, `sentinel sentinel-pass ${sentinelPassword}`] : []),
      ''
    ].join('\n'), { mode: 0o600 })
    sentinels.push({ port, child: spawnSentinel(configFile) })
  }
  for (const s of sentinels) {
    const client = new Redis({ host: HOST, port: s.port, ...(sentinelPassword !== undefined ? { password: sentinelPassword } : {}), lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 })
    client.on('error', () => {})
    admins.push(client)
  }
  const ask = async (client: Redis, ...args: string[]): Promise<unknown> => await client.call('SENTINEL', ...args)
  await pollUntil(async () => {
    for (const [i, client] of admins.entries()) {
      const child = sentinels[i]?.child
      if (child?.exitCode !== null) throw new Error('a sentinel exited')
      if (client.status === 'wait') await client.connect()
      const master = asRecord(await ask(client, 'MASTER', name))
      if (master['num-slaves'] !== '1' || master['num-other-sentinels'] !== '2' || !/^master$/.test(master.flags ?? '')) return false
    }
    return true
  }, 'every sentinel knows the master, its replica and the other sentinels', 30_000)

  const namedMaster = async (): Promise<number> => {
    const ports = new Set<number>()
    for (const client of admins) {
      const reply = await ask(client, 'GET-MASTER-ADDR-BY-NAME', name)
      if (!Array.isArray(reply)) throw new Error(`no master named ${name}`)
      ports.add(Number(reply[1]))
    }
    if (ports.size !== 1) throw new Error(`the sentinels disagree: ${[...ports].join(', ')}`)
    return [...ports][0] as number
  }

  return {
    name,
    sentinels: sentinels.map((s) => `${HOST}:${s.port}`),
    ports: [masterPort, replicaPort],
    access,
    masterPort: namedMaster,
    kill: async (port) => {
      const node = data.find((d) => d.port === port)
      if (node === undefined) throw new Error(`${port} is not a data node of this setup`)
      await stopProcess(node.spawned.child, 'SIGKILL')
    },
    replicaInSync: async (port, masterPort) => {
      await pollUntil(async () => {
        const info = await rawCommand(port, 'INFO replication', access)
        return /role:slave/.test(info) && new RegExp(`master_port:${masterPort}\\r`).test(info) && /master_link_status:up/.test(info)
      }, `${port} in sync with ${masterPort}`, 30_000)
    },
    failover: async () => {
      const reply = await ask(admins[0] as Redis, 'FAILOVER', name)
      if (reply !== 'OK') throw new Error(`SENTINEL FAILOVER: ${String(reply)}`)
    },
    masterIs: async (port) => {
      await pollUntil(async () => await namedMaster() === port && /role:master/.test(await rawCommand(port, 'INFO replication', access)),
        `every sentinel naming ${port} the master`, 30_000)
    }
  }
}
