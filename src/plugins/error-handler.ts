import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errorResponse, statusResponse } from '../http-errors/error-response.js'
import type { ErrorResponse } from '../http-errors/error-response.js'
import { onClientError } from '../http-errors/client-error.js'
import { createRouteTable } from '../http-errors/route-table.js'

/** The longest path parameter the router takes (a decision id is far shorter); longer: 414. */
export const MAX_PARAM_LENGTH = 100

/**
 * Sends an error answer already serialized: no preSerialization hook or response schema stands
 * between the error and its one shape (a hook that fails again would hand the error to Fastify's
 * own handler, whose body quotes the error's message).
 */
function sendError (reply: FastifyReply, response: ErrorResponse): FastifyReply {
  return reply.code(response.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(response.body))
}

function logFault (request: FastifyRequest, err: unknown, response: ErrorResponse): void {
  if (!response.fault) return
  const e = err instanceof Error ? err : new Error(String(err))
  request.log.error({ err: { type: e.name, message: e.message, stack: e.stack } }, 'request failed')
}

/**
 * What Fastify answers before a route runs (a malformed percent-encoding, a path parameter over
 * MAX_PARAM_LENGTH): the one error shape instead of Fastify's own body, which quotes the path.
 */
export function onFrameworkError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const response = errorResponse(error, { maxParamLength: MAX_PARAM_LENGTH })
  logFault(request, error, response)
  sendError(reply, response)
}

/**
 * The Fastify constructor options that route Fastify's and Node's own answers to the one error
 * shape; the error-handler plugin does the rest (it answers 503 while the server closes, in place
 * of Fastify's `return503OnClosing` body).
 */
export const errorShapeServerOptions = {
  return503OnClosing: false,
  routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  frameworkErrors: onFrameworkError,
  clientErrorHandler: onClientError
}

/**
 * The one error shape of DESIGN.md for every failure: stable codes for 4xx, and for 5xx a generic
 * message (the fault is logged, never returned). Also: 405 with `Allow` for a known path asked with
 * another method, and 503 for every request that arrives once the server has begun to close.
 */
export const errorHandlerPlugin = fp(async function errorHandler (fastify) {
  const routes = createRouteTable()
  fastify.addHook('onRoute', (route) => { routes.add(route.method, route.url) })

  let closing = false
  fastify.addHook('preClose', function stopServing (done) {
    closing = true
    done()
  })
  // callback style: no promise per request
  fastify.addHook('onRequest', function refuseWhileClosing (_request, reply, done) {
    if (!closing) {
      done()
      return
    }
    // Fastify has already set Connection: close on a request that arrives while closing
    sendError(reply, statusResponse(503, 'riskgate is shutting down: send the request again'))
  })

  fastify.setNotFoundHandler(async function notFound (request, reply) {
    const allowed = routes.allowed(request.url)
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendError(reply.header('allow', allowed.join(', ')), statusResponse(405, 'this route does not take this method: see the Allow header'))
    }
    return sendError(reply, statusResponse(404))
  })

  fastify.setErrorHandler(async function onError (err, request, reply) {
    const response = errorResponse(err, { bodyLimit: request.routeOptions.bodyLimit, maxParamLength: MAX_PARAM_LENGTH })
    logFault(request, err, response)
    return sendError(reply, response)
  })
}, { name: 'error-handler', fastify: '5.x' })
