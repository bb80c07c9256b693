import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { findApiKey } from '../auth/api-keys.js'
import type { ApiKey, Scope } from '../auth/api-keys.js'
import { ErrorCode, RiskgateError } from '../errors.js'

export interface AuthOptions {
  apiKeys: ApiKey[]
  /** mutual TLS: the key a connection's verified client certificate is mapped to (src/tls/client-certificate.ts) */
  certificateKey?: (socket: unknown) => ApiKey | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the scope a route requires; routes without one are public (health, readiness) */
    scope?: Scope
  }
  interface FastifyRequest {
    /** the key that authenticated this request, when the route requires one */
    apiKey: ApiKey | null
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/

/**
 * API-key authentication: `Authorization: Bearer <secret>`, looked up by SHA-256 in constant time;
 * with mutual TLS, a request without an Authorization header is authenticated by its connection's
 * verified client certificate when RISKGATE_TLS_CLIENT_KEYS maps it to a key (a bearer token, even
 * a wrong one, always decides). 401 without a valid key, 403 when the key lacks the route's scope.
 * Only the key id is logged.
 */
export const authPlugin = fp(async function auth (fastify, opts: AuthOptions) {
  const keys = opts.apiKeys
  const certificateKey = opts.certificateKey
  const unauthorized = certificateKey === undefined
    ? 'a valid API key is required: send Authorization: Bearer <secret>'
    : 'a valid API key is required: send Authorization: Bearer <secret>, or a client certificate mapped to a key'
  fastify.decorateRequest('apiKey', null)
  // callback style: no promise per request
  fastify.addHook('onRequest', function authenticate (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) {
    const scope = request.routeOptions.config.scope
    if (scope === undefined) {
      done()
      return
    }
    const header = request.headers.authorization
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
    if (!key.scopes.has(scope)) {
      done(new RiskgateError(403, ErrorCode.FORBIDDEN, `this API key lacks the "${scope}" scope`))
      return
    }
    done()
  })
}, { name: 'auth', fastify: '5.x' })
