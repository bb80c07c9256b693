import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { ErrorCode, RiskgateError, errorBody } from '../errors.js'
import type { ErrorDetail } from '../errors.js'

interface AjvError {
  instancePath?: string
  keyword?: string
  message?: string
  params?: Record<string, unknown>
}

/** Turns Ajv errors into details: a JSON pointer and a message, never the offending value. */
export function validationDetails (errors: readonly AjvError[], context: string): ErrorDetail[] {
  return errors.map((e) => {
    const base = e.instancePath ?? ''
    if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
      return { path: `${base}/${e.params.additionalProperty}`, message: 'unknown field' }
    }
    if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
      return { path: `${base}/${e.params.missingProperty}`, message: 'required field missing' }
    }
    return { path: base === '' ? `/${context}` : base, message: e.message ?? 'invalid' }
  })
}

/**
 * The one error shape of DESIGN.md for every failure: stable codes for 4xx, and for 5xx a generic
 * message (the fault is logged, never returned).
 */
export const errorHandlerPlugin = fp(async function errorHandler (fastify) {
  fastify.setNotFoundHandler(async function notFound (_request, reply) {
    return reply.code(404).send(errorBody(ErrorCode.NOT_FOUND, 'no such route'))
  })

  fastify.setErrorHandler(async function onError (err: FastifyError | RiskgateError, request, reply) {
    if (err instanceof RiskgateError) {
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.details))
    }
    const fe = err as FastifyError & { validation?: AjvError[], validationContext?: string }
    if (fe.validation !== undefined) {
      const details = validationDetails(fe.validation, fe.validationContext ?? 'body')
      const onlyUnknown = details.every((d) => d.message === 'unknown field')
      return reply.code(400).send(errorBody(
        onlyUnknown ? ErrorCode.UNKNOWN_FIELD : ErrorCode.VALIDATION_FAILED,
        onlyUnknown ? 'the request has fields this API does not know' : 'the request does not match the schema',
        details
      ))
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(errorBody(ErrorCode.BODY_TOO_LARGE, 'the request body is larger than 16 KiB'))
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send(errorBody(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'send Content-Type: application/json'))
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send(errorBody(ErrorCode.INVALID_JSON, 'the request body is not valid JSON'))
    }
    if (fe.statusCode === 400 && err instanceof SyntaxError) {
      return reply.code(400).send(errorBody(ErrorCode.INVALID_JSON, 'the request body is not valid JSON'))
    }
    if (fe.statusCode === 405) {
      return reply.code(405).send(errorBody(ErrorCode.METHOD_NOT_ALLOWED, 'method not allowed'))
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send(errorBody(ErrorCode.VALIDATION_FAILED, 'the request is not valid'))
    }
    request.log.error({ err: { type: err.name, message: err.message, stack: err.stack } }, 'request failed')
    return reply.code(500).send(errorBody(ErrorCode.INTERNAL, 'internal error'))
  })
}, { name: 'error-handler', fastify: '5.x' })
