import { join } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import csrfProtection from '@fastify/csrf-protection'
import helmet from '@fastify/helmet'
import secureSession from '@fastify/secure-session'
import fastifyStatic from '@fastify/static'
import type { ApiKey } from '../auth/api-keys.js'
import type { ConsoleSession, SessionAuthenticator } from '../auth/session.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { projectRoot } from '../signals/ip/bundled-data.js'
import { csrfCheck, csrfOptions } from './csrf.js'
import type { CsrfCheck, CsrfHook } from './csrf.js'
import { helmetOptions } from './security-headers.js'
import { sessionRoutes } from './session-routes.js'
import { ABSOLUTE_SECONDS, CSRF_FIELD, SESSION_COOKIE, nowSeconds, readSession } from './session-state.js'

export interface ConsolePluginOptions {
  keys: readonly ApiKey[]
  /** the session cookies' key (32 bytes); absent: the console is disabled */
  sessionKey: Buffer | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** how the auth plugin reads console sessions on /v1 routes; null when the console is disabled */
    consoleSessions: SessionAuthenticator | null
  }
}

/** the console's page, scripts and styles: plain files of the package (no build, nothing fetched) */
export function consoleAssetsDir (): string {
  return join(projectRoot(), 'src', 'console', 'public')
}

/** a session as the auth plugin holds it, with its CSRF secret */
interface HeldSession extends ConsoleSession {
  csrfSecret: unknown
}

interface SessionCodec {
  parseCookie: (header: string) => Record<string, string | undefined>
  decode: FastifyInstance['decodeSecureSession']
}

/** reads a /v1 request's session cookie: @fastify/secure-session's decoding, outside its hooks */
function sessionAuthenticator (codec: SessionCodec, keys: readonly ApiKey[], csrfValid: CsrfCheck): SessionAuthenticator {
  return {
    authenticate (request: FastifyRequest): ConsoleSession | undefined {
      const cookie = codec.parseCookie(request.headers.cookie ?? '')[SESSION_COOKIE]
      if (cookie === undefined) return undefined
      const session = codec.decode(cookie, request.log)
      if (session === null) return undefined
      const current = readSession(session as unknown as { get: (field: string) => unknown }, keys, nowSeconds())
      if (current === undefined) return undefined
      const held: HeldSession = { key: current.key, name: current.state.name, csrfSecret: session.get(CSRF_FIELD) }
      return held
    },
    csrfValid (request: FastifyRequest, session: ConsoleSession): boolean {
      return csrfValid((session as HeldSession).csrfSecret, request.headers, request.log)
    }
  }
}

/**
 * The analyst console: GET /console (a single-page app of plain ES modules and CSS served from
 * this folder), its sign-in / sign-out routes, and the session reader the auth plugin uses on /v1.
 * Session cookie, CSRF and Content-Security-Policy hooks run on the console's own routes only
 * (an encapsulated scope): the /v1 API and /docs are untouched by them.
 */
export const consolePlugin = fp(async function consolePlugin (fastify, opts: ConsolePluginOptions) {
  const sessionKey = opts.sessionKey
  if (sessionKey === undefined) {
    fastify.decorate('consoleSessions', null)
    fastify.log.warn('the analyst console (/console) is disabled: set RISKGATE_CONSOLE_SESSION_KEY (32+ random bytes, hex or base64) to enable it; the API is not affected')
    fastify.get('/console', { schema: { hide: true } }, async function consoleDisabled () {
      throw new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, 'the console is disabled on this server (RISKGATE_CONSOLE_SESSION_KEY is not set)')
    })
    return
  }

  let authenticator: SessionAuthenticator | undefined
  await fastify.register(async function consoleScope (scope) {
    await scope.register(helmet, helmetOptions)
    await scope.register(secureSession, {
      key: sessionKey,
      cookieName: SESSION_COOKIE,
      // a backstop: the idle and absolute limits are checked on every read (session-state.ts)
      expiry: ABSOLUTE_SECONDS,
      cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' }
    })
    await scope.register(csrfProtection, csrfOptions)
    const csrfValid = csrfCheck(scope.csrfProtection as unknown as CsrfHook)
    authenticator = sessionAuthenticator({ parseCookie: scope.parseCookie, decode: scope.decodeSecureSession }, opts.keys, csrfValid)

    await scope.register(fastifyStatic, { root: consoleAssetsDir(), prefix: '/console/assets/', index: false, list: false, schemaHide: true })
    const page = async function consolePage (_request: FastifyRequest, reply: import('fastify').FastifyReply) {
      reply.header('cache-control', 'no-cache')
      return await reply.sendFile('index.html')
    }
    scope.get('/console', { schema: { hide: true } }, page)
    scope.get('/console/', { schema: { hide: true } }, page)
    await scope.register(sessionRoutes, { keys: opts.keys, csrfValid })
  })
  fastify.decorate('consoleSessions', authenticator ?? null)
}, { name: 'console', fastify: '5.x' })
