import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthSchema, ReadinessSchema } from '../schemas/health.js'
import type { Readiness } from '../schemas/health.js'

export interface HealthRouteOptions {
  readiness: () => Promise<Readiness>
}

/**
 * GET /healthz: the process is alive. GET /readyz: rules and data are loaded (they always are once
 * the app has started: a broken rule set or database refuses the start); the store reachable, or
 * the answer says `degraded` and scoring goes on without velocity.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRouteOptions> = async function healthRoutes (fastify, opts) {
  fastify.get('/healthz', {
    logLevel: 'warn',
    schema: { tags: ['operations'], response: { 200: HealthSchema } }
  }, async () => ({ status: 'ok' as const }))

  fastify.get('/readyz', {
    logLevel: 'warn',
    schema: { tags: ['operations'], response: { 200: ReadinessSchema } }
  }, async () => opts.readiness())
}
