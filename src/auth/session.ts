import type { FastifyRequest } from 'fastify'
import type { ApiKey } from './api-keys.js'

/** A signed-in console user: the analyst key it signed in with (never the key's secret). */
export interface ConsoleSession {
  key: ApiKey
  /** the display name given at sign-in, if any */
  name: string | null
}

/**
 * How the auth plugin reads console sessions (the console plugin provides it): the session of a
 * request's cookie, and whether the request carries that session's CSRF token.
 */
export interface SessionAuthenticator {
  /** the valid, unexpired session of the request's cookie whose key is still configured with the analyst scope */
  authenticate: (request: FastifyRequest) => ConsoleSession | undefined
  csrfValid: (request: FastifyRequest, session: ConsoleSession) => boolean
}
