import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { findApiKey, Scope } from '../auth/api-keys.js'
import type { ApiKey } from '../auth/api-keys.js'
import type { ConsoleSession, SessionAuthenticator } from '../auth/session.js'
import { ErrorCode, RiskgateError } from '../errors.js'

export interface AuthOptions {
  apiKeys: ApiKey[]
  /** console sessions (src/console/): absent when the console is disabled */
  sessions?: SessionAuthenticator
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the scope a route requires; routes without one are public (health, readiness) */
    scope?: Scope
  }
  interface FastifyRequest {
    /** the key that authenticated this request, when the route requires one */
    apiKey: ApiKey | null
    /** the console session that authenticated this request (instead of an Authorization header) */
    consoleSession: ConsoleSession | null
    /**
     * who is acting, for what a request records (a review's close, an outcome): `key:<key id>`
     * for an API key sent as a Bearer token, `console:<key id>` for a console session; null on
     * public routes
     */
    readonly actor: string | null
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

/** methods that change nothing: no CSRF token needed with a session */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * API-key authentication: `Authorization: Bearer <secret>`, looked up by SHA-256 in constant time.
 * 401 without a valid key, 403 when the key lacks the route's scope. Only the key id is logged.
 *
 * A console session (a cookie) stands for its analyst key on routes of scope `analyst` only, and
 * only when the request has no Authorization header: a request with one costs nothing more than
 * before. A session request that changes state (POST, PUT, PATCH, DELETE) must carry the
 * session's CSRF token, else 403 `csrf_invalid`.
 */
export const authPlugin = fp(async function auth (fastify, opts: AuthOptions) {
  const keys = opts.apiKeys
  const sessions = opts.sessions
  fastify.decorateRequest('apiKey', null)
  fastify.decorateRequest('consoleSession', null)
  fastify.decorateRequest('actor', {
    getter (this: FastifyRequest): string | null {
      const key = this.apiKey
      if (key === null) return null
      return this.consoleSession === null ? `key:${key.id}` : `console:${key.id}`
    }
  })

  function bySession (request: FastifyRequest, done: (err?: Error) => void): boolean {
    const session = (sessions as SessionAuthenticator).authenticate(request)
    if (session === undefined) return false
    if (!SAFE_METHODS.has(request.method) && !(sessions as SessionAuthenticator).csrfValid(request, session)) {
      done(new RiskgateError(403, ErrorCode.CSRF_INVALID, 'this console request needs the CSRF token of its session (header x-csrf-token)'))
      return true
    }
    request.apiKey = session.key
    request.consoleSession = session
    ;(request.log as Logger).setBindings({ key_id: session.key.id, via: 'console' })
    done()
    return true
  }

  // callback style: no promise per request
  fastify.addHook('onRequest', function authenticate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    const scope = request.routeOptions.config.scope
    if (scope === undefined) {
      done()
      return
    }
    const header = request.headers.authorization
    if (header === undefined && scope === Scope.ANALYST && sessions !== undefined && request.headers.cookie !== undefined && bySession(request, done)) return
    const match = header === undefined ? null : BEARER.exec(header)
    const key = match === null ? undefined : findApiKey(keys, match[1] as string)
    if (key === undefined) {
      reply.header('www-authenticate', 'Bearer realm="riskgate"')
      done(new RiskgateError(401, ErrorCode.UNAUTHORIZED, 'a valid API key is required: send Authorization: Bearer <secret>'))
      return
    }
    request.apiKey = key
    // on this request's log lines (bound in place: no child logger per request)
    ;(request.log as Logger).setBindings({ key_id: key.id })
    if (!key.scopes.has(scope)) {
      done(new RiskgateError(403, ErrorCode.FORBIDDEN, `this API key lacks the "${scope}" scope`))
      return
    }
    done()
  })
}, { name: 'auth', fastify: '5.x' })
