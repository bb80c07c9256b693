import { createHash } from 'node:crypto'
import type { ApiKey } from '../auth/api-keys.js'
import { Scope } from '../auth/api-keys.js'

/** the session cookie's name (path `/`: the console's own routes and the /v1 API it calls) */
export const SESSION_COOKIE = 'riskgate_console'
/** a session unused for 8 hours ends */
export const IDLE_SECONDS = 8 * 60 * 60
/** a session ends 12 hours after sign-in, used or not */
export const ABSOLUTE_SECONDS = 12 * 60 * 60
/** a session's idle clock is restarted (its cookie written again) at most once a minute */
export const REFRESH_AFTER_SECONDS = 60
/** the field of the session that holds its CSRF secret (@fastify/csrf-protection's default) */
export const CSRF_FIELD = '_csrf'

/** What the encrypted cookie holds: the key's id and times, never the key or its hash. */
export interface SessionState {
  /** the API key's id */
  kid: string
  /** binds the session to the key's current secret: a new secret with the same id ends it */
  kb: string
  name: string | null
  /** signed in at (unix seconds) */
  iat: number
  /** last seen (unix seconds) */
  seen: number
}

/** a short digest of the key's secret hash (itself a SHA-256): the cookie never holds either */
export function keyBinding (key: ApiKey): string {
  return createHash('sha256').update('riskgate console session\0').update(key.secretSha256).digest('base64url').slice(0, 22)
}

export function newSessionState (key: ApiKey, name: string | null, nowSeconds: number): SessionState {
  return { kid: key.id, kb: keyBinding(key), name, iat: nowSeconds, seen: nowSeconds }
}

export interface SessionTimes {
  /** when the session ends unless used before (ISO 8601) */
  idleExpiresAt: string
  /** when the session ends at the latest (ISO 8601) */
  expiresAt: string
}

export function sessionTimes (state: SessionState): SessionTimes {
  return {
    idleExpiresAt: new Date(Math.min(state.seen + IDLE_SECONDS, state.iat + ABSOLUTE_SECONDS) * 1000).toISOString(),
    expiresAt: new Date((state.iat + ABSOLUTE_SECONDS) * 1000).toISOString()
  }
}

interface Readable { get: (field: string) => unknown }

/**
 * The session's state when the decrypted cookie holds a current one: well formed, not idle for
 * IDLE_SECONDS nor older than ABSOLUTE_SECONDS, its key still configured with the analyst scope
 * and the same secret. Its key along with it.
 */
export function readSession (session: Readable, keys: readonly ApiKey[], nowSeconds: number): { state: SessionState, key: ApiKey } | undefined {
  const kid = session.get('kid')
  const kb = session.get('kb')
  const name = session.get('name')
  const iat = session.get('iat')
  const seen = session.get('seen')
  if (typeof kid !== 'string' || typeof kb !== 'string' || typeof iat !== 'number' || typeof seen !== 'number') return undefined
  if (name !== null && typeof name !== 'string') return undefined
  if (nowSeconds >= iat + ABSOLUTE_SECONDS || nowSeconds >= seen + IDLE_SECONDS || seen < iat || iat > nowSeconds + 60) return undefined
  const key = keys.find((k) => k.id === kid)
  if (key === undefined || !key.scopes.has(Scope.ANALYST) || keyBinding(key) !== kb) return undefined
  return { state: { kid, kb, name, iat, seen }, key }
}

export function nowSeconds (): number {
  return Math.floor(Date.now() / 1000)
}
