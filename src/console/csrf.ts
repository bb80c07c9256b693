import type { FastifyBaseLogger } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import { CSRF_FIELD } from './session-state.js'

/** the header the console sends its CSRF token in */
export const CSRF_HEADER = 'x-csrf-token'

/** @fastify/csrf-protection's options for the console: the token only from CSRF_HEADER */
export const csrfOptions = {
  sessionPlugin: '@fastify/secure-session' as const,
  sessionKey: CSRF_FIELD,
  getToken: (request: { headers: IncomingHttpHeaders }) => {
    const token = request.headers[CSRF_HEADER]
    return typeof token === 'string' ? token : undefined
  },
  logLevel: 'debug' as const
}

/** @fastify/csrf-protection's check: a preHandler-style hook that reads the session's secret */
export type CsrfHook = (request: unknown, reply: unknown, next: () => void) => void

export type CsrfCheck = (secret: unknown, headers: IncomingHttpHeaders, log: FastifyBaseLogger) => boolean

/**
 * @fastify/csrf-protection's own check (a token made for the session's secret, compared in
 * constant time), as a plain predicate usable outside the console's routes: the auth plugin asks
 * it about /v1 requests authenticated by a session, which @fastify/secure-session does not decode
 * (its hooks run on the console's routes only).
 */
export function csrfCheck (hook: CsrfHook): CsrfCheck {
  const refused = { send: () => {} }
  return function valid (secret, headers, log) {
    if (typeof secret !== 'string' || secret === '') return false
    let ok = false
    const session = { get: (field: string) => (field === CSRF_FIELD ? secret : undefined) }
    hook({ session, headers, body: undefined, log }, refused, () => { ok = true })
    return ok
  }
}
