import type { ConnectionOptions } from 'node:tls'
import { Cluster, Redis } from 'ioredis'
import { withDeadline } from '../util/deadline.js'
import { RedisMode, resolveRedisConnection } from './connection.js'
import type { RedisAuth, RedisConnection, RedisTls } from './connection.js'

export type RedisClient = Redis | Cluster

export type { RedisConnection } from './connection.js'

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
  /** the connection's name (CLIENT SETNAME), as `CLIENT LIST` shows it: DEFAULT_CONNECTION_NAME unless given */
  name?: string
}

export const DEFAULT_CONNECTION_NAME = 'riskgate'

export const DEFAULT_COMMAND_TIMEOUT_MS = 1000
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000

/** 25, 50, 100 ms... up to 2 s between reconnection attempts, forever, in the background */
function reconnectDelay (attempt: number): number {
  return Math.min(25 * 2 ** Math.min(attempt - 1, 7), 2000)
}

/**
 * A write answered READONLY went to a master that was demoted (a failover behind a Sentinel or a
 * managed endpoint): reconnect, which finds the new master; the command itself is not sent again.
 */
function reconnectOnReadonly (err: Error): 1 | false {
  return err.message.startsWith('READONLY') ? 1 : false
}

function authOptions (auth: RedisAuth): { username?: string, password?: string } {
  return {
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(auth.password !== undefined ? { password: auth.password } : {})
  }
}

function tlsOptions (tls: RedisTls): ConnectionOptions {
  return tls.ca !== undefined ? { ca: [tls.ca] } : {}
}

/**
 * An ioredis client set up for the checkout path: while disconnected, commands reject at once
 * (no offline queue) instead of waiting; a command in flight when the connection drops gets one
 * reconnection attempt, then rejects (standalone and Sentinel: it is sent again on the new
 * connection, so every write riskgate sends must be safe to run twice; a Cluster rejects it); the
 * client keeps reconnecting in the background. It connects immediately (not lazily): see
 * waitForRedis. 'error' events are logged, never thrown. Passwords are never logged.
 *
 * Throws RedisSettingsError for settings that cannot be used (see resolveRedisConnection).
 */
export function createRedisClient (connection: RedisConnection, options: RedisClientOptions = {}): RedisClient {
  const resolved = resolveRedisConnection(connection)
  const commandTimeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const common = {
    commandTimeout,
    connectTimeout,
    maxRetriesPerRequest: 1,
    connectionName: options.name ?? DEFAULT_CONNECTION_NAME,
    // how long a closing socket may linger (ioredis keeps a timer that long even when the socket
    // is already gone, which delays the process exit)
    disconnectTimeout: 200
  }
  const single = {
    ...common,
    enableOfflineQueue: false,
    retryStrategy: reconnectDelay,
    reconnectOnError: reconnectOnReadonly,
    // no auto-pipelining: a charge sends one script call, and batching calls per turn of the
    // event loop made each wait for the others' replies and kept them alive across garbage
    // collections (measured under the bench's load: 1 MB promoted per scavenge instead of 80 KB,
    // a full collection every 4 s, p99 at 300 requests/s 6-8 ms instead of 4-5, throughput a
    // sixth lower; Redis's CPU per charge a sixth higher without it, its price)
    enableAutoPipelining: false
  }
  let client: RedisClient
  if (resolved.mode === RedisMode.STANDALONE) {
    client = new Redis({
      ...single,
      host: resolved.endpoint.host,
      port: resolved.endpoint.port,
      db: resolved.db,
      ...authOptions(resolved.auth),
      ...(resolved.tls !== undefined ? { tls: tlsOptions(resolved.tls) } : {})
    })
  } else if (resolved.mode === RedisMode.SENTINEL) {
    const sentinelAuth = resolved.sentinelAuth
    client = new Redis({
      ...single,
      sentinels: resolved.sentinels,
      name: resolved.name,
      role: 'master',
      db: resolved.db,
      ...authOptions(resolved.auth),
      ...(sentinelAuth.username !== undefined ? { sentinelUsername: sentinelAuth.username } : {}),
      ...(sentinelAuth.password !== undefined ? { sentinelPassword: sentinelAuth.password } : {}),
      ...(resolved.tls !== undefined
        ? { tls: tlsOptions(resolved.tls), sentinelTLS: tlsOptions(resolved.tls), enableTLSForSentinelMode: true }
        : {}),
      // all sentinels unreachable: asked again, as the master is reconnected, in the background
      sentinelRetryStrategy: reconnectDelay,
      sentinelCommandTimeout: connectTimeout,
      // subscribed to the sentinels' +switch-master: after a switch-over the connection moves to
      // the new master at once. Without it, it stays on the old master, which keeps taking writes
      // (lost when it is made a replica) until the sentinels demote it, seconds later (a dead
      // master's connection closes by itself; a write a demoted master refuses, READONLY,
      // reconnects). Its subscriptions are closed with the client (closeRedis)
      failoverDetector: true
    })
  } else {
    client = new Cluster(resolved.nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      // a command whose node connection closed rejects instead of being sent again: it may have run
      // already (its reply lost with the connection), and a velocity call that runs twice counts
      // the charge twice. Nothing is lost: the answer is degraded, the outbox writes again
      retryDelayOnFailover: 0,
      slotsRefreshTimeout: connectTimeout,
      // TLS: connect to the names the cluster announces as they are, so that certificates issued
      // for them verify (a managed cluster announces host names)
      ...(resolved.tls !== undefined ? { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => { callback(null, address) } } : {}),
      redisOptions: {
        ...common,
        ...authOptions(resolved.auth),
        ...(resolved.tls !== undefined ? { tls: tlsOptions(resolved.tls) } : {})
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
 * Resolves true once the client is ready to serve, false after `timeoutMs`; never rejects.
 * Standalone: connected (and, behind Sentinel, to the master the sentinels name). A Cluster: it
 * knows its slots and the connection to every master that serves them is open and answered PING
 * (ioredis opens a node's connection on its first command: without this, the first requests of a
 * new instance would wait for them, past their deadline).
 */
export async function waitForRedis (client: RedisClient, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  if (!await clientReady(client, timeoutMs)) return false
  if (!(client instanceof Cluster)) return true
  for (;;) {
    const left = deadline - performance.now()
    if (left <= 0) return false
    if ((await pingRedis(client, Math.max(1, left))).ok) return true
    // a master not reachable yet: try again shortly, within the time left
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(1, deadline - performance.now()))))
  }
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
  | { ok: true, status: string, latencyMs: number, masters: number }
  | { ok: false, status: string, error: string }

/**
 * For /readyz: a PING under `timeoutMs`; on a Cluster, a PING to every master that serves slots,
 * all slots served. Never rejects; the error names a node by host:port only.
 */
export async function pingRedis (client: RedisClient, timeoutMs = 500): Promise<RedisHealth> {
  const started = performance.now()
  try {
    let masters = 1
    if (client instanceof Cluster) masters = await withDeadline(pingMasters(client, timeoutMs), timeoutMs)
    else await withDeadline(client.ping(), timeoutMs)
    return { ok: true, status: client.status, latencyMs: performance.now() - started, masters }
  } catch (err) {
    return { ok: false, status: client.status, error: (err as Error).message }
  }
}

const CLUSTER_SLOTS = 16384

/**
 * The connections to the masters of every slot, by node key (host:port): undefined for a master
 * ioredis has no connection to (its connection ended and was dropped). Throws when a slot has no
 * master at all.
 */
function slotMasters (client: Cluster): Map<string, Redis | undefined> {
  const open = new Map<string, Redis>()
  for (const node of client.nodes('master')) open.set(`${node.options.host ?? ''}:${node.options.port ?? ''}`, node)
  const masters = new Map<string, Redis | undefined>()
  for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
    const key = client.slots[slot]?.[0]
    if (key === undefined) throw new Error(`slot ${slot} has no master`)
    if (!masters.has(key)) masters.set(key, open.get(key))
  }
  return masters
}

async function refreshSlots (client: Cluster): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    client.refreshSlotsCache((err) => { if (err === undefined || err === null) resolve(); else reject(err) })
  })
}

/** PINGs every master (opening its connection if needed); resolves their number */
async function pingMasters (client: Cluster, timeoutMs: number): Promise<number> {
  if (client.status !== 'ready') throw new Error(`cluster connection ${client.status}`)
  let masters = slotMasters(client)
  if ([...masters.values()].includes(undefined)) {
    // a master's connection was dropped: the topology is asked again, which opens it anew
    await withDeadline(refreshSlots(client), timeoutMs)
    masters = slotMasters(client)
  }
  await Promise.all([...masters].map(async ([key, node]) => {
    if (node === undefined) throw new Error(`master ${key}: no connection`)
    try {
      await node.ping()
    } catch (err) {
      throw new Error(`master ${key}: ${(err as Error).message}`)
    }
  }))
  return masters.size
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
  // behind Sentinel, QUIT ends the master's connection but not the failover detector's
  // subscriptions to the sentinels: disconnect() closes them
  if (!(client instanceof Cluster) && (client.options.sentinels?.length ?? 0) > 0) client.disconnect()
}
