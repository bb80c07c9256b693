import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { countedAtScrape } from './metrics.js'

/**
 * `riskgate_http_requests_total{method, route, status}`: every answer, by the route's pattern
 * (`/v1/decisions/:decision_id`, never the URL itself: no identifier reaches a label) or
 * `unmatched` when no route matched. Counted as a plain number per label set, handed to
 * prom-client when /metrics is read (see countedAtScrape).
 */
export const httpMetricsPlugin = fp(async function httpMetrics (fastify) {
  const count = countedAtScrape(fastify.metricsRegistry, 'riskgate_http_requests_total',
    'HTTP requests answered, by method, route pattern (unmatched: no route) and status code', ['method', 'route', 'status'])
  // callback style: no promise per request
  fastify.addHook('onResponse', function countResponse (request: FastifyRequest, reply: FastifyReply, done: () => void) {
    const route = request.routeOptions.url ?? 'unmatched'
    const status = reply.statusCode
    count({ method: request.method, route, status: String(status) }, `${request.method} ${route} ${status}`)
    done()
  })
}, { name: 'http-metrics', fastify: '5.x', dependencies: ['metrics'] })
