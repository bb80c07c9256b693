import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { findApiKey } from '../auth/api-keys.js'
import type { ApiKey, Scope } from '../auth/api-keys.js'
import { ErrorCode, RiskgateError } from '../errors.js'

export interface AuthOptions {
  apiKeys: ApiKey[]
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
    /**
     * who acts, as outcomes record it: `key:<key id>` for an API key; a session authentication
     * (the console) sets its own (`console:<key id>`)
     */
    actor: string | null
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

/** whether the key has the route's scope, or one of its scopes */
export function hasScope (key: ApiKey, scope: Scope | readonly Scope[]): boolean {
  if (typeof scope === 'string') return key.scopes.has(scope)
  for (const one of scope) if (key.scopes.has(one)) return true
  return false
}

function describeScope (scope: Scope | readonly Scope[]): string {
  return typeof scope === 'string' ? `"${scope}"` : scope.map((one) => `"${one}"`).join(' or ')
}

/**
 * API-key authentication: `Authorization: Bearer <secret>`, looked up by SHA-256 in constant time.
 * 401 without a valid key, 403 when the key lacks the route's scope. Only the key id is logged.
 */
export const authPlugin = fp(async function auth (fastify, opts: AuthOptions) {
  const keys = opts.apiKeys
  fastify.decorateRequest('apiKey', null)
  fastify.decorateRequest('actor', null)
  // callback style: no promise per request
  fastify.addHook('onRequest', function authenticate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    const scope = request.routeOptions.config.scope
    if (scope === undefined) {
      done()
      return
    }
    const header = request.headers.authorization
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
    request.actor = `key:${key.id}`
    if (!hasScope(key, scope)) {
      done(new RiskgateError(403, ErrorCode.FORBIDDEN, `this API key lacks the ${describeScope(scope)} scope`))
      return
    }
    done()
  })
}, { name: 'auth', fastify: '5.x' })
