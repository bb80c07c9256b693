import fp from 'fastify-plugin'
import { createVelocityStore } from '../velocity/create-velocity-store.js'
import type { VelocityStore } from '../velocity/store.js'

export interface VelocityPluginOptions {
  /**
   * Not used any more: the velocity store is given the caller's digests (VelocityRecordInput's
   * `identify`) and hashes nothing itself. Accepted until the application stops passing it.
   */
  hashKey?: string
}

declare module 'fastify' {
  interface FastifyInstance {
    velocityStore: VelocityStore
  }
}

/**
 * The velocity store: in Redis when fastify.redis exists, else in process (with a warning:
 * counters are then per instance and lost on restart).
 */
export const velocityPlugin = fp(async function velocity (fastify, _opts: VelocityPluginOptions) {
  const redis = fastify.redis
  if (redis === null) fastify.log.warn({}, 'in-process store: one instance only')
  fastify.decorate('velocityStore', createVelocityStore({ redis }))
}, { name: 'velocity', fastify: '5.x', dependencies: ['redis'] })
