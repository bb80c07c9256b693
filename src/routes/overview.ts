import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Scope } from '../auth/api-keys.js'
import type { DecisionLogStore } from '../decision-log/store.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import { OverviewQuerySchema, OverviewSchema } from '../schemas/overview.js'
import { overviewRange, overviewResponse } from '../search/overview-range.js'
import { storeCall } from '../search/store-call.js'

export interface OverviewRouteOptions {
  store: Pick<DecisionLogStore, 'overview'>
  now?: () => number
}

/** GET /v1/overview (scope analyst): decisions, degraded answers and outcomes per UTC hour or day, and the top rules fired. */
export const overviewRoutes: FastifyPluginAsyncTypebox<OverviewRouteOptions> = async function overviewRoutes (fastify, opts) {
  const now = opts.now ?? Date.now
  fastify.get('/v1/overview', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'Decisions by kind, degraded answers and outcomes reported per UTC hour (default: the last 24 hours) or day, and the 20 rules that fired most',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      querystring: OverviewQuerySchema,
      response: { 200: OverviewSchema, 400: ErrorResponseSchema, 503: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function overview (request) {
    const range = overviewRange(request.query, now())
    const counts = await storeCall(request.log, 'the overview', async () =>
      await opts.store.overview({ range: { from: range.from, to: range.to }, bucket: range.bucket }))
    return overviewResponse(range, counts)
  })
}
