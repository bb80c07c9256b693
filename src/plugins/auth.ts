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
  /** mutual TLS: the key a connection's verified client certificate is mapped to (src/tls/client-certificate.ts) */
  certificateKey?: (socket: unknown) => ApiKey | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * the scope a route requires, or the scopes of which it requires any one; routes without one
     * are public (health, readiness)
     */
    scope?: Scope | readonly Scope[]
  }
  interface FastifyRequest {
    /** the key that authenticated this request, when the route requires one */
    apiKey: ApiKey | null
    /** the console session that authenticated this request (instead of an Authorization header) */
    consoleSession: ConsoleSession | null
    /**
     * who acts, as outcomes record it: `key:<key id>` for an API key sent as a Bearer token,
     * `console:<key id>` for a console session
     */
    actor: string | null
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

/** methods that change nothing: no CSRF token needed with a session */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

/** whether the key has the route's scope, or one of its scopes */
export function hasScope (key: ApiKey, scope: Scope | readonly Scope[]): boolean {
  if (typeof scope === 'string') return key.scopes.has(scope)
  for (const one of scope) if (key.scopes.has(one)) return true
  return false
}

/** whether a console session may call a route of this scope: analyst routes only */
export function sessionMayUse (scope: Scope | readonly Scope[]): boolean {
  return typeof scope === 'string' ? scope === Scope.ANALYST : scope.includes(Scope.ANALYST)
}

function describeScope (scope: Scope | readonly Scope[]): string {
  return typeof scope === 'string' ? `"${scope}"` : scope.map((one) => `"${one}"`).join(' or ')
}

/**
 * API-key authentication: `Authorization: Bearer <secret>`, looked up by SHA-256 in constant time.
 * 401 without a valid key, 403 when the key lacks the route's scope. Only the key id is logged.
 *
 * With mutual TLS, a request without an Authorization header is authenticated by its connection's
 * verified client certificate when RISKGATE_TLS_CLIENT_KEYS maps it to a key (a bearer token, even
 * a wrong one, always decides).
 *
 * A console session (a cookie) stands for its analyst key on routes that take the `analyst`
 * scope, and only when the request has no Authorization header: a request with one costs nothing
 * more than before. A session request that changes state (POST, PUT, PATCH, DELETE) must carry
 * the session's CSRF token, else 403 `csrf_invalid`.
 */
export const authPlugin = fp(async function auth (fastify, opts: AuthOptions) {
  const keys = opts.apiKeys
  const sessions = opts.sessions
  const certificateKey = opts.certificateKey
  const unauthorized = certificateKey === undefined
    ? 'a valid API key is required: send Authorization: Bearer <secret>'
    : 'a valid API key is required: send Authorization: Bearer <secret>, or a client certificate mapped to a key'
  fastify.decorateRequest('apiKey', null)
  fastify.decorateRequest('consoleSession', null)
  fastify.decorateRequest('actor', null)

  /** authenticates by the session cookie; false when there is no valid session (then: as without one) */
  function bySession (authenticator: SessionAuthenticator, request: FastifyRequest, done: (err?: Error) => void): boolean {
    const session = authenticator.authenticate(request)
    if (session === undefined) return false
    if (!SAFE_METHODS.has(request.method) && !authenticator.csrfValid(request, session)) {
      done(new RiskgateError(403, ErrorCode.CSRF_INVALID, 'this console request needs the CSRF token of its session (header x-csrf-token)'))
      return true
    }
    request.apiKey = session.key
    request.consoleSession = session
    request.actor = `console:${session.key.id}`
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
    if (header === undefined && sessions !== undefined && request.headers.cookie !== undefined &&
      sessionMayUse(scope) && bySession(sessions, request, done)) return
    let key: ApiKey | undefined
    let byCertificate = false
    if (header !== undefined) {
      const match = BEARER.exec(header)
      key = match === null ? undefined : findApiKey(keys, match[1] as string)
    } else if (certificateKey !== undefined) {
      key = certificateKey(request.raw.socket)
      byCertificate = true
    }
    if (key === undefined) {
      reply.header('www-authenticate', 'Bearer realm="riskgate"')
      done(new RiskgateError(401, ErrorCode.UNAUTHORIZED, unauthorized))
      return
    }
    request.apiKey = key
    // on this request's log lines (bound in place: no child logger per request)
    ;(request.log as Logger).setBindings(byCertificate ? { key_id: key.id, auth: 'client_certificate' } : { key_id: key.id })
    request.actor = `key:${key.id}`
    if (!hasScope(key, scope)) {
      done(new RiskgateError(403, ErrorCode.FORBIDDEN, `this API key lacks the ${describeScope(scope)} scope`))
      return
    }
    done()
  })
}, { name: 'auth', fastify: '5.x' })
