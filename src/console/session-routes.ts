import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { ApiKey } from '../auth/api-keys.js'
import { findApiKey, Scope } from '../auth/api-keys.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { ErrorResponseSchema } from '../schemas/error.js'
import type { CsrfCheck } from './csrf.js'
import { sameOrigin } from './origin.js'
import { SessionSchema, SignInSchema } from './schemas.js'
import type { SessionView } from './schemas.js'
import { CSRF_FIELD, REFRESH_AFTER_SECONDS, newSessionState, nowSeconds, readSession, sessionTimes } from './session-state.js'
import type { SessionState } from './session-state.js'

export interface SessionRouteOptions {
  keys: readonly ApiKey[]
  csrfValid: CsrfCheck
}

/** the session as the console's routes write it (@fastify/secure-session's Session, loosely typed) */
interface Writable {
  get: (field: string) => unknown
  set: (field: string, value: unknown) => void
  regenerate: (keep?: string[]) => void
  delete: () => void
  options: (opts: { secure: boolean }) => void
}

const NO_STORE = 'no-store'
const REFUSED = 'this key cannot sign in to the console'

/**
 * The request's session, its cookie Secure when the console is served over https: directly (TLS
 * in this process) or behind a proxy that says so. A forged `X-Forwarded-Proto` can only make
 * the sender's own cookie stricter.
 */
function writable (request: FastifyRequest): Writable {
  const session = request.session as unknown as Writable
  session.options({ secure: request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https' })
  return session
}

function view (state: SessionState, csrfToken: string): SessionView {
  const times = sessionTimes(state)
  return { key_id: state.kid, name: state.name, csrf_token: csrfToken, idle_expires_at: times.idleExpiresAt, expires_at: times.expiresAt }
}

function write (session: Writable, state: SessionState): void {
  session.set('kid', state.kid)
  session.set('kb', state.kb)
  session.set('name', state.name)
  session.set('iat', state.iat)
  session.set('seen', state.seen)
}

/**
 * POST /console/session: sign in with an analyst key (a wrong key, or one without the analyst
 * scope, is refused alike with 401); GET /console/session: the current session and a CSRF token
 * (restarts its idle clock); DELETE /console/session: sign out (with the CSRF token).
 */
export async function sessionRoutes (scope: FastifyInstance, opts: SessionRouteOptions): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const hide = { tags: ['console'] }

  app.post('/console/session', {
    schema: {
      ...hide,
      summary: 'Console sign-in: an analyst API key exchanged for a session cookie (httpOnly, SameSite=Strict)',
      body: SignInSchema,
      response: { 200: SessionSchema, 400: ErrorResponseSchema, 401: ErrorResponseSchema, 403: ErrorResponseSchema, 415: ErrorResponseSchema }
    }
  }, async function signIn (request, reply) {
    if (!sameOrigin(request.headers)) throw new RiskgateError(403, ErrorCode.FORBIDDEN, 'sign in from the console\'s own page')
    const key = findApiKey(opts.keys, request.body.key)
    if (key === undefined || !key.scopes.has(Scope.ANALYST)) throw new RiskgateError(401, ErrorCode.UNAUTHORIZED, REFUSED)
    const name = request.body.name?.trim() ?? ''
    const state = newSessionState(key, name === '' ? null : name, nowSeconds())
    const session = writable(request)
    // a new session: nothing of a previous one is kept, its CSRF secret included
    session.regenerate()
    write(session, state)
    request.log.info({ key_id: key.id }, 'console sign-in')
    reply.header('cache-control', NO_STORE)
    return view(state, reply.generateCsrf())
  })

  app.get('/console/session', {
    schema: {
      ...hide,
      summary: 'The console session of the cookie, with a CSRF token; restarts its idle time',
      response: { 200: SessionSchema, 401: ErrorResponseSchema }
    }
  }, async function currentSession (request, reply) {
    reply.header('cache-control', NO_STORE)
    const now = nowSeconds()
    const session = writable(request)
    const current = readSession(session, opts.keys, now)
    if (current === undefined) throw new RiskgateError(401, ErrorCode.UNAUTHORIZED, 'not signed in to the console')
    const state = current.state
    if (now - state.seen >= REFRESH_AFTER_SECONDS) {
      state.seen = now
      session.set('seen', now)
    }
    return view(state, reply.generateCsrf())
  })

  app.delete('/console/session', {
    schema: {
      ...hide,
      summary: 'Console sign-out (needs the session\'s CSRF token)',
      response: { 204: { type: 'null', description: 'signed out: the cookie is cleared' }, 403: ErrorResponseSchema }
    }
  }, async function signOut (request, reply: FastifyReply) {
    const session = writable(request)
    const current = readSession(session, opts.keys, nowSeconds())
    if (current !== undefined && !opts.csrfValid(session.get(CSRF_FIELD), request.headers, request.log)) {
      throw new RiskgateError(403, ErrorCode.CSRF_INVALID, 'signing out needs the CSRF token of the session (header x-csrf-token)')
    }
    session.delete()
    reply.header('cache-control', NO_STORE)
    return await reply.code(204).send()
  })
}
