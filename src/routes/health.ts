import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthSchema, ReadinessSchema } from '../schemas/health.js'
import type { Readiness } from '../schemas/health.js'

export interface HealthRouteOptions {
  readiness: () => Promise<Readiness>
  /** load shedding: while it is active /readyz answers 503, so that a load balancer sends traffic elsewhere */
  shedding?: { active: () => boolean, retryAfterSeconds: number }
}

/**
 * GET /healthz: the process is alive. GET /readyz: rules and data are loaded (they always are once
 * the app has started: a broken rule set or database refuses the start); the store reachable, or
 * the answer says `degraded` and scoring goes on without velocity; 503 `shedding` while requests
 * are shed (load shedding).
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRouteOptions> = async function healthRoutes (fastify, opts) {
  fastify.get('/healthz', {
    logLevel: 'warn',
    schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: HealthSchema } }
  }, async () => ({ status: 'ok' as const }))

  fastify.get('/readyz', {
    logLevel: 'warn',
    schema: { tags: ['operations'], summary: 'Readiness: rules and data loaded, the store reachable (degraded when not), shedding load or not', response: { 200: ReadinessSchema, 503: ReadinessSchema } }
  }, async (_request, reply) => {
    const readiness = await opts.readiness()
    if (opts.shedding?.active() !== true) return readiness
    reply.code(503).header('retry-after', String(opts.shedding.retryAfterSeconds))
    return { ...readiness, status: 'shedding' as const }
  })
}
