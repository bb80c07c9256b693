import fp from 'fastify-plugin'
import { createVelocityStore } from '../velocity/create-velocity-store.js'
import type { VelocityStore } from '../velocity/store.js'

declare module 'fastify' {
  interface FastifyInstance {
    velocityStore: VelocityStore
  }
}

/**
 * The velocity store: in Redis when fastify.redis exists, else in process (with a warning:
 * counters, like decisions, are then per instance and lost on restart). It never hashes: the
 * scorer gives it the request's keyed digests of every identifier.
 */
export const velocityPlugin = fp(async function velocity (fastify) {
  const redis = fastify.redis
  if (redis === null) fastify.log.warn({}, 'in-process store: one instance only')
  fastify.decorate('velocityStore', createVelocityStore({ redis }))
}, { name: 'velocity', fastify: '5.x', dependencies: ['redis'] })
