import fp from 'fastify-plugin'
import { closeRedis, createRedisClient, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_CONNECTION_NAME, waitForRedis } from '../redis/client.js'
import type { RedisClient } from '../redis/client.js'
import { connectionOf, RedisMode, resolveRedisConnection } from '../redis/connection.js'
import type { RedisSettings } from '../redis/connection.js'

export interface RedisPluginOptions extends RedisSettings {
  commandTimeoutMs?: number
  /** how long start-up waits for the connections (every master of a Cluster) before going on degraded */
  startupTimeoutMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the shared Redis (standalone, Sentinel-managed or Cluster) client; null when none is configured */
    redis: RedisClient | null
    /**
     * a second client to the same Redis, for what is written after the answers (the decision
     * log's appends, through the outbox): null when none is configured
     */
    redisWriter: RedisClient | null
    /** how Redis is reached, for /readyz: null when none is configured */
    redisMode: (typeof RedisMode)[keyof typeof RedisMode] | null
  }
}

/** the names of the two connections, as `CLIENT LIST` shows them */
export const REDIS_CONNECTION_NAMES = { answers: DEFAULT_CONNECTION_NAME, writer: `${DEFAULT_CONNECTION_NAME}-writer` } as const

/**
 * Creates the Redis clients when a URL, Cluster nodes or sentinels are configured. Start-up waits
 * briefly for the connections (a Cluster: to every master, each answering PING; Sentinel: to the
 * master the sentinels name); if Redis is unreachable the service still starts (velocity and
 * idempotency are reported degraded) and the client keeps reconnecting in the background. Closed
 * on onClose.
 *
 * Two clients: `redis` for the answer's path (the scoring call, lookups, reads) and `redisWriter`
 * for the outbox's batches of decision records. Redis runs one connection's commands in the order
 * they came; a batch of appends sent in the same turn as a charge's scoring call, on one
 * connection, ran before it (a partition's append takes Redis about a millisecond under load, and
 * a flush sends one a partition). On its own connection a batch no longer queues ahead: Redis
 * serves the other connection between the batch's reads (docs/performance.md).
 */
export const redisPlugin = fp(async function redis (fastify, opts: RedisPluginOptions) {
  const { commandTimeoutMs, startupTimeoutMs, ...settings } = opts
  const connection = connectionOf(settings)
  if (connection === null) {
    fastify.decorate<RedisClient | null>('redis', null)
    fastify.decorate<RedisClient | null>('redisWriter', null)
    fastify.decorate('redisMode', null)
    return
  }
  const mode = resolveRedisConnection(connection).mode
  const clientOptions = { logger: fastify.log, ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {}) }
  const client = createRedisClient(connection, { ...clientOptions, name: REDIS_CONNECTION_NAMES.answers })
  const writer = createRedisClient(connection, { ...clientOptions, name: REDIS_CONNECTION_NAMES.writer })
  fastify.decorate<RedisClient | null>('redis', client)
  fastify.decorate<RedisClient | null>('redisWriter', writer)
  fastify.decorate('redisMode', mode)
  fastify.addHook('onClose', async () => { await Promise.all([closeRedis(client), closeRedis(writer)]) })
  // the writer is waited for beside the answers' client (a Cluster's node connections open
  // then), but only the answers' client decides whether the service starts degraded
  const [ready] = await Promise.all([client, writer].map(async (c) => await waitForRedis(c, startupTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)))
  if (ready) fastify.log.info({ mode }, 'redis connected')
  else fastify.log.warn({ mode }, 'redis not reachable at start: running degraded, reconnecting in the background')
}, { name: 'redis', fastify: '5.x' })
