import { timingSafeEqual } from 'node:crypto'
import { sha256 } from '../hashing/sha256.js'

export const Scope = {
  SCORE: 'score',
  ANALYST: 'analyst',
  ADMIN: 'admin'
} as const
export type Scope = typeof Scope[keyof typeof Scope]

const SCOPES = new Set<string>(Object.values(Scope))

export interface ApiKey {
  id: string
  scopes: ReadonlySet<Scope>
  /** SHA-256 of the secret; the secret itself is never held */
  secretSha256: Buffer
}

export class ApiKeyConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ApiKeyConfigError'
  }
}

/**
 * Parses `RISKGATE_API_KEYS`: comma-separated `<key-id>:<scope>[+<scope>...]:<sha256 hex of the secret>`.
 * Error messages name the entry by position and key id, never the hash.
 */
export function parseApiKeys (value: string | undefined): ApiKey[] {
  if (value === undefined || value.trim() === '') return []
  const keys: ApiKey[] = []
  const ids = new Set<string>()
  value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').forEach((entry, index) => {
    const parts = entry.split(':')
    const where = `RISKGATE_API_KEYS entry ${index + 1}`
    if (parts.length !== 3) throw new ApiKeyConfigError(`${where}: expected <key-id>:<scope>[+<scope>...]:<sha256 hex>`)
    const [id, scopeList, hex] = parts as [string, string, string]
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id)) throw new ApiKeyConfigError(`${where}: key id must be 1-64 of [A-Za-z0-9_.-]`)
    if (ids.has(id)) throw new ApiKeyConfigError(`${where}: duplicate key id "${id}"`)
    const scopes = scopeList.split('+')
    for (const scope of scopes) {
      if (!SCOPES.has(scope)) throw new ApiKeyConfigError(`${where} (${id}): unknown scope "${scope}" (use score, analyst, admin)`)
    }
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new ApiKeyConfigError(`${where} (${id}): the third part must be the 64-hex-digit SHA-256 of the secret`)
    ids.add(id)
    keys.push({ id, scopes: new Set(scopes as Scope[]), secretSha256: Buffer.from(hex, 'hex') })
  })
  return keys
}

/** an API key's secret is kept as its SHA-256 (RISKGATE_API_KEYS) */
export { sha256 }

/**
 * Finds the key whose secret this is. Every configured key is compared, in constant time, so the
 * time taken says nothing about which key (or how much of a hash) matched.
 */
export function findApiKey (keys: readonly ApiKey[], secret: string): ApiKey | undefined {
  const digest = sha256(secret)
  let found: ApiKey | undefined
  for (const key of keys) {
    if (timingSafeEqual(key.secretSha256, digest) && found === undefined) found = key
  }
  return found
}
