import { Cluster, Redis } from 'ioredis'
import type { ClusterNode } from 'ioredis'
import { withDeadline } from '../util/deadline.js'

export type RedisClient = Redis | Cluster

/** A standalone Redis (`redis://` or `rediss://` URL) or the seed nodes of a Redis Cluster. */
export type RedisConnection = { url: string } | { clusterNodes: string[] }

/** The part of a pino logger the client uses. */
export interface RedisLogger {
  info (obj: object, msg: string): void
  warn (obj: object, msg: string): void
}

export interface RedisClientOptions {
  /** receives connection errors and recoveries; without one they are dropped (never thrown) */
  logger?: RedisLogger
  /** a command without a reply after this long rejects; a safety net under the caller's deadline */
  commandTimeoutMs?: number
  connectTimeoutMs?: number
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 1000
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000

/** 25, 50, 100 ms... up to 2 s between reconnection attempts, forever, in the background */
function reconnectDelay (attempt: number): number {
  return Math.min(25 * 2 ** Math.min(attempt - 1, 7), 2000)
}

function parseClusterNode (node: string): { host: string, port: number, username?: string, password?: string, tls: boolean } {
  const trimmed = node.trim()
  let url: URL
  try {
    url = new URL(/^rediss?:\/\//.test(trimmed) ? trimmed : `redis://${trimmed}`)
  } catch {
    throw new Error('a Redis Cluster node must be host:port')
  }
  const port = url.port === '' ? 6379 : Number(url.port)
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  if (host === '' || !Number.isInteger(port)) throw new Error('a Redis Cluster node must be host:port')
  return {
    host,
    port,
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:'
  }
}

/**
 * An ioredis client set up for the checkout path: while disconnected, commands reject at once
 * (no offline queue) instead of waiting; a command in flight when the connection drops gets one
 * reconnection attempt, then rejects (standalone: it is sent again on the new connection, so every
 * write riskgate sends must be safe to run twice; a Cluster rejects it); the client keeps
 * reconnecting in the background. It connects immediately (not lazily): see waitForRedis. 'error'
 * events are logged, never thrown. The URL may carry a password: it is never logged.
 */
export function createRedisClient (connection: RedisConnection, options: RedisClientOptions = {}): RedisClient {
  const commandTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const common = {
    commandTimeout,
    connectTimeout,
    maxRetriesPerRequest: 1,
    connectionName: 'riskgate',
    // how long a closing socket may linger (ioredis keeps a timer that long even when the socket
    // is already gone, which delays the process exit)
    disconnectTimeout: 200
  }
  let client: RedisClient
  if ('url' in connection) {
    client = new Redis(connection.url, {
      ...common,
      enableOfflineQueue: false,
      retryStrategy: reconnectDelay,
      // no auto-pipelining: a charge sends one script call, and batching calls per turn of the
      // event loop made each wait for the others' replies and kept them alive across garbage
      // collections (measured under the bench's load: 1 MB promoted per scavenge instead of 80 KB,
      // a full collection every 4 s, p99 at 300 requests/s 6-8 ms instead of 4-5, throughput a
      // sixth lower; Redis's CPU per charge a sixth higher without it, its price)
      enableAutoPipelining: false
    })
  } else {
    if (connection.clusterNodes.length === 0) throw new Error('a Redis Cluster needs at least one node')
    const parsed = connection.clusterNodes.map(parseClusterNode)
    const first = parsed[0] as (typeof parsed)[number]
    const nodes: ClusterNode[] = parsed.map(({ host, port }) => ({ host, port }))
    client = new Cluster(nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      // a command whose node connection closed rejects instead of being sent again: it may have run
      // already (its reply lost with the connection), and a velocity call that runs twice counts
      // the charge twice. Nothing is lost: the answer is degraded, the outbox writes again
      retryDelayOnFailover: 0,
      slotsRefreshTimeout: connectTimeout,
      redisOptions: {
        ...common,
        ...(first.username !== undefined ? { username: first.username } : {}),
        ...(first.password !== undefined ? { password: first.password } : {}),
        ...(first.tls ? { tls: {} } : {})
      }
    })
  }
  watchConnection(client, options.logger)
  return client
}

/**
 * Logs the start of an outage once (the first error or lost connection, not every failed
 * reconnection attempt) and the recovery. The 'error' listeners are what keep ioredis from
 * reporting unhandled errors; nothing here throws.
 */
function watchConnection (client: RedisClient, logger: RedisLogger | undefined): void {
  let failing = false
  const down = (err?: Error): void => {
    if (failing) return
    failing = true
    const detail = err === undefined ? {} : { err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }
    logger?.warn(detail, 'redis unavailable, reconnecting in the background')
  }
  client.on('error', down)
  if (client instanceof Cluster) client.on('node error', down)
  client.on('reconnecting', () => down())
  client.on('ready', () => {
    if (failing) logger?.info({}, 'redis connection restored')
    failing = false
  })
}

/**
 * Resolves true once the client is ready, false after `timeoutMs`; never rejects. A Cluster is
 * ready once it knows its slots; its connection to each node opens then, and a command that finds
 * its node's connection still opening is rejected (not retried, see createRedisClient): so it is
 * also given, within `timeoutMs`, the time to open every node's connection.
 */
export async function waitForRedis (client: RedisClient, timeoutMs: number): Promise<boolean> {
  const started = performance.now()
  const ready = await clientReady(client, timeoutMs)
  if (ready && client instanceof Cluster) {
    const left = Math.max(1, timeoutMs - (performance.now() - started))
    await withDeadline(Promise.all(client.nodes('all').map(async (node) => await node.ping().catch(() => {}))), left).catch(() => {})
  }
  return ready
}

async function clientReady (client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true
  return await new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer)
      client.off('ready', onReady)
      resolve(ok)
    }
    const onReady = (): void => done(true)
    const timer = setTimeout(() => done(false), timeoutMs)
    timer.unref()
    client.on('ready', onReady)
  })
}

export type RedisHealth =
  | { ok: true, status: string, latencyMs: number }
  | { ok: false, status: string, error: string }

/** For /readyz: a PING under `timeoutMs`. Never rejects. */
export async function pingRedis (client: RedisClient, timeoutMs = 500): Promise<RedisHealth> {
  const started = performance.now()
  try {
    await withDeadline(client.ping(), timeoutMs)
    return { ok: true, status: client.status, latencyMs: performance.now() - started }
  } catch (err) {
    return { ok: false, status: client.status, error: (err as Error).message }
  }
}

/**
 * Closes the connection: QUIT when connected, otherwise a plain disconnect, then waits (briefly)
 * for the client to end. Never rejects.
 */
export async function closeRedis (client: RedisClient): Promise<void> {
  if (client.status === 'end') return
  if (client.status === 'reconnecting' || client.status === 'close' || client.status === 'wait') {
    // no live connection: cancels the pending reconnection; no 'end' event follows
    client.disconnect()
    return
  }
  const ended = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 1000)
    timer.unref()
    client.once('end', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  if (client.status === 'ready') {
    try {
      await client.quit()
    } catch {
      client.disconnect()
    }
  } else {
    client.disconnect()
  }
  await ended
}
