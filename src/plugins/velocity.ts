import fp from 'fastify-plugin'
import { createDecisionStore } from '../idempotency/create-decision-store.js'
import type { DecisionStore } from '../idempotency/decision-store.js'
import { createVelocityStore } from '../velocity/create-velocity-store.js'
import type { VelocityStore } from '../velocity/store.js'

export interface VelocityPluginOptions {
  /** RISKGATE_HASH_KEY */
  hashKey: string
  maxEventsPerSeries?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    velocityStore: VelocityStore
    decisionStore: DecisionStore
  }
}

/**
 * The velocity and decision stores: in Redis when fastify.redis exists, else in process
 * (with a warning: counters and decisions are then per instance and lost on restart).
 */
export const velocityPlugin = fp(async function velocity (fastify, opts: VelocityPluginOptions) {
  const redis = fastify.redis
  if (redis === null) fastify.log.warn({}, 'in-process store: one instance only')
  fastify.decorate('velocityStore', createVelocityStore({
    redis,
    hashKey: opts.hashKey,
    ...(opts.maxEventsPerSeries !== undefined ? { maxEventsPerSeries: opts.maxEventsPerSeries } : {})
  }))
  fastify.decorate('decisionStore', createDecisionStore({ redis, hashKey: opts.hashKey }))
}, { name: 'velocity', fastify: '5.x', dependencies: ['redis'] })
