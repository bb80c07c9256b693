import fp from 'fastify-plugin'
import { closeRedis, createRedisClient, DEFAULT_CONNECT_TIMEOUT_MS, waitForRedis } from '../redis/client.js'
import type { RedisClient } from '../redis/client.js'

export interface RedisPluginOptions {
  /** RISKGATE_REDIS_URL */
  url?: string
  /** RISKGATE_REDIS_CLUSTER_NODES, split */
  clusterNodes?: string[]
  commandTimeoutMs?: number
  /** how long start-up waits for the first connection before going on degraded */
  startupTimeoutMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the shared Redis (or Cluster) client; null when none is configured */
    redis: RedisClient | null
  }
}

/**
 * Creates the Redis client when a URL or cluster nodes are configured. Start-up waits briefly for
 * the connection; if Redis is unreachable the service still starts (velocity and idempotency are
 * reported degraded) and the client keeps reconnecting in the background. Closed on onClose.
 */
export const redisPlugin = fp(async function redis (fastify, opts: RedisPluginOptions) {
  const { url, clusterNodes } = opts
  if (url !== undefined && clusterNodes !== undefined && clusterNodes.length > 0) {
    throw new Error('configure a Redis URL or Redis Cluster nodes, not both')
  }
  const connection = url !== undefined
    ? { url }
    : clusterNodes !== undefined && clusterNodes.length > 0 ? { clusterNodes } : null
  if (connection === null) {
    fastify.decorate<RedisClient | null>('redis', null)
    return
  }
  const client = createRedisClient(connection, {
    logger: fastify.log,
    ...(opts.commandTimeoutMs !== undefined ? { commandTimeoutMs: opts.commandTimeoutMs } : {})
  })
  fastify.decorate<RedisClient | null>('redis', client)
  fastify.addHook('onClose', async () => { await closeRedis(client) })
  const ready = await waitForRedis(client, opts.startupTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS)
  if (ready) fastify.log.info({ cluster: 'clusterNodes' in connection }, 'redis connected')
  else fastify.log.warn({}, 'redis not reachable at start: running degraded, reconnecting in the background')
}, { name: 'redis', fastify: '5.x' })
