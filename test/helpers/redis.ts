import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Redis } from 'ioredis'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'

/** the part of a tap test the helpers need */
export interface Teardown {
  teardown (fn: () => unknown): void
}

export interface RedisServer {
  url: string
  /** its port on 127.0.0.1 (0 when RISKGATE_REDIS_URL names an external server) */
  port: number
  /** false when RISKGATE_REDIS_URL names an external server: stop, kill, restart, pause and resume are unavailable */
  managed: boolean
  /** graceful shutdown (SIGTERM) */
  stop (): Promise<void>
  /** SIGKILL, for fault tests: Redis vanishes mid-test */
  kill (): Promise<void>
  /**
   * Starts it again (after a SIGKILL if it still runs) on the same port, with the same folder:
   * empty, or with every write it acknowledged when started `persistent`.
   */
  restart (): Promise<void>
  /** SIGSTOP: the process stays, its connections stay open, it answers nothing until resume */
  pause (): void
  /** SIGCONT: it runs again and answers what it was sent meanwhile */
  resume (): void
}

export interface StartRedisOptions {
  /**
   * An append-only file fsynced before every reply (`--appendonly yes --appendfsync always`), so a
   * write Redis acknowledged survives a SIGKILL and is there again after restart, as on a
   * production Redis configured for durability. Without it (the default) a restart is empty,
   * which would lose acknowledged reservations and records: a fault test could not tell a product
   * bug from the test's own data loss.
   */
  persistent?: boolean
}

/** the redis-server arguments of a persistent server (see StartRedisOptions) */
export const PERSISTENT_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'] as const

const HOST = '127.0.0.1'
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/** a TCP port nothing listens on right now, on 127.0.0.1 */
export async function freePort (port = 0): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(port, HOST, () => {
      const address = server.address()
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

/** How a test reaches a node of its own: its address (127.0.0.1 unless said) and password. */
export interface NodeAccess {
  host?: string
  /** sent with AUTH before the command */
  password?: string
}

/**
 * Sends one inline command and returns the raw reply (enough for PING and CLUSTER INFO), after
 * AUTH when `access` has a password.
 */
export async function rawCommand (port: number, command: string, access: NodeAccess = {}): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, access.host ?? HOST)
    let reply = ''
    let authPending = access.password !== undefined
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')))
    socket.once('error', reject)
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8')
      if (authPending) {
        const end = reply.indexOf('\r\n')
        if (end < 0) return
        authPending = false
        if (!reply.startsWith('+OK')) {
          socket.end()
          resolve(reply.slice(0, end + 2))
          return
        }
        reply = reply.slice(end + 2)
        if (reply === '') return
      }
      // a status/error line, or a bulk string ($len\r\n...\r\n) once complete
      const bulk = /^\$(\d+)\r\n/.exec(reply)
      if ((bulk === null && reply.endsWith('\r\n')) || (bulk !== null && reply.length >= bulk[0].length + Number(bulk[1]) + 2)) {
        socket.end()
        resolve(reply)
      }
    })
    socket.write(access.password !== undefined ? `AUTH ${access.password}\r\n${command}\r\n` : `${command}\r\n`)
  })
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

export interface SpawnedRedis {
  child: ChildProcess
  output: () => string
}

/** Spawns redis-server from PATH on 127.0.0.1:port, no persistence. */
export function spawnRedisServer (port: number, dir: string, extraArgs: string[] = []): SpawnedRedis {
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no',
    '--dir', dir, '--loglevel', 'warning', ...extraArgs
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  let output = ''
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-4000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.once('error', (err) => { output += `\n${err.message}` })
  return { child, output: () => output }
}

/**
 * Resolves once the server answers PING (with `access`'s password, when it asks for one); rejects
 * if it exits or stays silent for `timeoutMs`.
 */
export async function waitForPong (spawned: SpawnedRedis, port: number, timeoutMs = 5000, access: NodeAccess = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) {
      throw new Error(`redis-server exited: ${spawned.output()}`)
    }
    try {
      if ((await rawCommand(port, 'PING', access)).startsWith('+PONG')) return
    } catch {
      // not listening yet
    }
    await sleep(20)
  }
  throw new Error(`redis-server on port ${port} did not answer: ${spawned.output()}`)
}

export async function stopProcess (child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/** true when RISKGATE_REDIS_URL names a Redis the tests must share (and cannot kill) */
export function externalRedisUrl (): string | undefined {
  const url = process.env.RISKGATE_REDIS_URL
  return url === undefined || url === '' ? undefined : url
}

/**
 * A real Redis for one test file: RISKGATE_REDIS_URL when set (never flushed: tests use their own
 * key prefixes), otherwise a redis-server spawned on a free port of 127.0.0.1, killed at teardown.
 * Call it from `t.before` (not a top-level await): tap ends a root test that has a teardown once
 * it looks idle.
 */
export async function startRedis (t: Teardown, options: StartRedisOptions = {}): Promise<RedisServer> {
  const external = externalRedisUrl()
  if (external !== undefined) {
    const unavailable = async (): Promise<void> => { throw new Error('not available with RISKGATE_REDIS_URL') }
    const refuse = (): void => { throw new Error('not available with RISKGATE_REDIS_URL') }
    return { url: external, port: 0, managed: false, stop: unavailable, kill: unavailable, restart: unavailable, pause: refuse, resume: refuse }
  }
  const extraArgs = options.persistent === true ? [...PERSISTENT_ARGS] : []
  const dir = await mkdtemp(path.join(tmpdir(), 'riskgate-redis-'))
  let port = 0
  let spawned: SpawnedRedis | undefined
  let lastError: unknown
  for (let attempt = 0; attempt < 3 && spawned === undefined; attempt++) {
    port = await freePort()
    const candidate = spawnRedisServer(port, dir, extraArgs)
    try {
      await waitForPong(candidate, port)
      spawned = candidate
    } catch (err) {
      lastError = err
      await stopProcess(candidate.child, 'SIGKILL')
    }
  }
  if (spawned === undefined) throw lastError
  let current: SpawnedRedis = spawned
  t.teardown(async () => {
    await stopProcess(current.child, 'SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  return {
    url: `redis://${HOST}:${port}`,
    port,
    managed: true,
    stop: async () => { await stopProcess(current.child, 'SIGTERM') },
    kill: async () => { await stopProcess(current.child, 'SIGKILL') },
    restart: async () => {
      await stopProcess(current.child, 'SIGKILL')
      current = spawnRedisServer(port, dir, extraArgs)
      await waitForPong(current, port)
    },
    pause: () => { current.child.kill('SIGSTOP') },
    resume: () => { current.child.kill('SIGCONT') }
  }
}

/**
 * A real Redis for one test file (see startRedis) and a client connected to it, both closed at
 * teardown. Call it from `t.before`.
 */
export async function connectRedis (t: Teardown): Promise<{ server: RedisServer, client: Redis }> {
  const server = await startRedis(t)
  const client = createRedisClient({ url: server.url }) as Redis
  t.teardown(async () => await closeRedis(client))
  if (!await waitForRedis(client, 5000)) throw new Error('could not connect to the test Redis')
  return { server, client }
}
