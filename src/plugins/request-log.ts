import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyRequest {
    /** what the route adds to the request's log line (the decision id...): ids only, never data */
    logFields: Record<string, string | number | boolean> | null
  }
}

/**
 * One log line per request, when its response is sent: request id, method, route, status and
 * time, the API key id (bound by the auth plugin) and what the route added (the decision id).
 * Fastify's own two lines per request are off (disableRequestLogging in app.ts): one line says
 * the same, for a third of the logging cost on the scoring path.
 */
export const requestLogPlugin = fp(async function requestLog (fastify) {
  fastify.decorateRequest('logFields', null)
  fastify.addHook('onResponse', function logRequest (request, reply, done) {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime, ...request.logFields }, 'request completed')
    done()
  })
}, { name: 'request-log', fastify: '5.x' })
