import { sha256 } from '../src/auth/api-keys.js'

/**
 * RISKGATE_API_KEYS for the bench's one key, named `bench`, with these scopes (`score`,
 * `score+analyst`): the SHA-256 of `secret` as the server compares it (src/auth/api-keys.ts).
 */
export function benchApiKeys (scopes: string, secret: string): string {
  return `bench:${scopes}:${sha256(secret).toString('hex')}`
}
