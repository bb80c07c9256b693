import { hkdfSync } from 'node:crypto'

/** the key length of the session cookie's encryption (libsodium secretbox, through @fastify/secure-session) */
export const SESSION_KEY_BYTES = 32

export class SessionKeyError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SessionKeyError'
  }
}

function derive (material: Buffer | string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material, 'riskgate-console', info, SESSION_KEY_BYTES))
}

/**
 * RISKGATE_CONSOLE_SESSION_KEY: at least 32 random bytes, as hex (64+ digits) or base64 /
 * base64url. The cookie key is derived from it (HKDF-SHA256), so a longer secret is used whole.
 * The message never quotes the value.
 */
export function parseSessionKey (value: string): Buffer {
  const text = value.trim()
  let bytes: Buffer | undefined
  if (/^(?:[0-9a-fA-F]{2}){32,}$/.test(text)) bytes = Buffer.from(text, 'hex')
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  if (bytes === undefined || bytes.length < SESSION_KEY_BYTES) {
    throw new SessionKeyError('RISKGATE_CONSOLE_SESSION_KEY must be at least 32 random bytes, as hex or base64 (e.g. `openssl rand -base64 32`)')
  }
  return derive(bytes, 'session key')
}

/**
 * Outside production, without a configured key: a key derived from the hash key (itself the
 * development one kept in RISKGATE_DEV_STATE_DIR unless set), so that sessions survive a restart
 * of `npm start` and no further secret file is needed.
 */
export function developmentSessionKey (hashKey: string): Buffer {
  return derive(hashKey, 'development session key')
}

/**
 * The console's session key: the configured one; outside production the development one; in
 * production without one, none (the console is disabled and says so at start).
 */
export function consoleSessionKeyOf (config: { env: string, hashKey: string, consoleSessionKey?: Buffer }): Buffer | undefined {
  if (config.consoleSessionKey !== undefined) return config.consoleSessionKey
  return config.env === 'production' ? undefined : developmentSessionKey(config.hashKey)
}
