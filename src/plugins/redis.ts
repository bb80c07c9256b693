import fp from 'fastify-plugin'
import { closeRedis, createRedisClient, DEFAULT_CONNECT_TIMEOUT_MS, waitForRedis } from '../redis/client.js'
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
    /** how Redis is reached, for /readyz: null when none is configured */
    redisMode: (typeof RedisMode)[keyof typeof RedisMode] | null
  }
}

/**
 * Creates the Redis client when a URL, Cluster nodes or sentinels are configured. Start-up waits
 * briefly for the connections (a Cluster: to every master, each answering PING; Sentinel: to the
 * master the sentinels name); if Redis is unreachable the service still starts (velocity and
 * idempotency are reported degraded) and the client keeps reconnecting in the background. Closed
 * on onClose.
 */
export const redisPlugin = fp(async function redis (fastify, opts: RedisPluginOptions) {
  const { commandTimeoutMs, startupTimeoutMs, ...settings } = opts
  const connection = connectionOf(settings)
  if (connection === null) {
    fastify.decorate<RedisClient | null>('redis', null)
    fastify.decorate('redisMode', null)
    return
  }
  const mode = resolveRedisConnection(connection).mode
  const client = createRedisClient(connection, {
    logger: fastify.log,
    ...(commandTimeoutMs !== undefined ? { commandTimeoutMs } : {})
  })
  fastify.decorate<RedisClient | null>('redis', client)
  fastify.decorate('redisMode', mode)
  fastify.addHook('onClose', async () => { await closeRedis(client) })
  const ready = await waitForRedis(client, startupTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
  if (ready) fastify.log.info({ mode }, 'redis connected')
  else fastify.log.warn({ mode }, 'redis not reachable at start: running degraded, reconnecting in the background')
}, { name: 'redis', fastify: '5.x' })
