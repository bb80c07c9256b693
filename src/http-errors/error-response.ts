import { ErrorCode, RiskgateError, errorBody } from '../errors.js'
import type { ErrorBody, ErrorDetail } from '../errors.js'

/** An Ajv error as Fastify attaches it to a validation failure. */
export interface AjvError {
  instancePath?: string
  keyword?: string
  message?: string
  params?: Record<string, unknown>
}

/** What to answer for an error: the status and the one error shape. */
export interface ErrorResponse {
  statusCode: number
  body: ErrorBody
  /** a fault of riskgate's (5xx other than 503): log it; the body says only `internal error` */
  fault: boolean
}

/** At most this many details in one answer: a request with thousands of bad fields gets a short answer. */
export const MAX_DETAILS = 20

// an unknown field is named back only when its name looks like a field name: short, plain, and no
// run of digits (a card number or a secret sent as a key is never echoed)
const PLAIN_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/
const DIGIT_RUN = /[0-9]{6}/

/** Turns Ajv errors into details: a JSON pointer and a message, never the offending value. */
export function validationDetails (errors: readonly AjvError[], context: string): ErrorDetail[] {
  const details = errors.slice(0, MAX_DETAILS).map((e): ErrorDetail => {
    const base = e.instancePath ?? ''
    if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
      const name = e.params.additionalProperty
      return PLAIN_FIELD_NAME.test(name) && !DIGIT_RUN.test(name)
        ? { path: `${base}/${name}`, message: 'unknown field' }
        : { path: base === '' ? `/${context}` : base, message: 'unknown field (its name is not repeated: not a plain field name)' }
    }
    if (e.keyword === 'required' && typeof e.params?.missingProperty === 'string') {
      return { path: `${base}/${e.params.missingProperty}`, message: 'required field missing' }
    }
    return { path: base === '' ? `/${context}` : base, message: e.message ?? 'invalid' }
  })
  if (errors.length > MAX_DETAILS) details.push({ message: `and ${errors.length - MAX_DETAILS} more problems not listed` })
  return details
}

function kib (bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`
}

const INVALID_JSON = 'the request body is not valid JSON'

/** The code and message of an error status Fastify, Node or a plugin answers by itself. */
const BY_STATUS: Readonly<Record<number, readonly [ErrorCode, string]>> = {
  400: [ErrorCode.BAD_REQUEST, 'the request cannot be read'],
  401: [ErrorCode.UNAUTHORIZED, 'a valid API key is required: send Authorization: Bearer <secret>'],
  403: [ErrorCode.FORBIDDEN, 'access to this resource is refused'],
  404: [ErrorCode.NOT_FOUND, 'no such route'],
  405: [ErrorCode.METHOD_NOT_ALLOWED, 'method not allowed'],
  408: [ErrorCode.REQUEST_TIMEOUT, 'the request was not received in time'],
  412: [ErrorCode.PRECONDITION_FAILED, 'the condition of the request does not hold'],
  413: [ErrorCode.BODY_TOO_LARGE, 'the request body is too large'],
  414: [ErrorCode.URI_TOO_LONG, 'the URL is too long'],
  415: [ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'send Content-Type: application/json'],
  416: [ErrorCode.RANGE_NOT_SATISFIABLE, 'the requested range is outside the resource'],
  431: [ErrorCode.HEADERS_TOO_LARGE, 'the request headers are too large'],
  503: [ErrorCode.SERVICE_UNAVAILABLE, 'the service cannot answer now: retry later']
}

/** The answer for an HTTP error status, with the generic message of that status. */
export function statusResponse (statusCode: number, message?: string): ErrorResponse {
  const known = BY_STATUS[statusCode]
  if (known !== undefined) return { statusCode, body: errorBody(known[0], message ?? known[1]), fault: false }
  if (statusCode >= 400 && statusCode < 500) {
    return { statusCode, body: errorBody(ErrorCode.BAD_REQUEST, message ?? 'the request cannot be served'), fault: false }
  }
  return { statusCode: 500, body: errorBody(ErrorCode.INTERNAL, 'internal error'), fault: true }
}

export interface ErrorContext {
  /** the body limit of the route, in bytes (named in the 413 message) */
  bodyLimit?: number
  /** the router's longest path parameter (named in the 414 message) */
  maxParamLength?: number
}

/**
 * The answer for anything thrown or passed to `reply.send` on the way to a response: riskgate's
 * own errors as they are, schema validation with details (field paths, never values), Fastify's
 * and its plugins' errors by their code or status. No message of a foreign error is ever passed
 * on (it may quote the URL, a header or the body); 5xx answers never carry details.
 */
export function errorResponse (err: unknown, context: ErrorContext = {}): ErrorResponse {
  if (err instanceof RiskgateError) {
    const fault = err.statusCode >= 500 && err.statusCode !== 503
    return {
      statusCode: err.statusCode,
      body: err.statusCode >= 500 ? errorBody(err.code, err.message) : errorBody(err.code, err.message, err.details),
      fault
    }
  }
  const fe = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown, statusCode?: unknown, status?: unknown, validation?: AjvError[], validationContext?: string
  }
  if (Array.isArray(fe.validation)) {
    const details = validationDetails(fe.validation, fe.validationContext ?? 'body')
    const onlyUnknown = fe.validation.every((e) => e.keyword === 'additionalProperties')
    return {
      statusCode: 400,
      body: errorBody(
        onlyUnknown ? ErrorCode.UNKNOWN_FIELD : ErrorCode.VALIDATION_FAILED,
        onlyUnknown ? 'the request has fields this API does not know' : 'the request does not match the schema',
        details
      ),
      fault: false
    }
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return statusResponse(413, context.bodyLimit === undefined ? undefined : `the request body is larger than ${kib(context.bodyLimit)}`)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return statusResponse(415)
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { statusCode: 400, body: errorBody(ErrorCode.INVALID_JSON, INVALID_JSON), fault: false }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return statusResponse(400, 'the request body does not match its Content-Length')
    case 'FST_ERR_BAD_URL':
      return { statusCode: 400, body: errorBody(ErrorCode.INVALID_URL, 'the URL is not valid: malformed percent-encoding'), fault: false }
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return statusResponse(414, context.maxParamLength === undefined
        ? 'a path parameter is too long'
        : `a path parameter is longer than ${context.maxParamLength} characters`)
  }
  const statusCode = typeof fe.statusCode === 'number' ? fe.statusCode : typeof fe.status === 'number' ? fe.status : 500
  // JSON.parse's errors, and secure-json-parse's refusal of __proto__ and constructor.prototype
  if (statusCode === 400 && err instanceof SyntaxError) {
    return { statusCode: 400, body: errorBody(ErrorCode.INVALID_JSON, INVALID_JSON), fault: false }
  }
  if (statusCode >= 400 && statusCode < 500) return statusResponse(statusCode)
  if (statusCode === 503) return statusResponse(503)
  return statusResponse(500)
}
