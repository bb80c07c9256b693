import type { Env } from './env-schema.js'

/** What the Adyen notifications route is given (absent: the route answers 503 webhook_not_configured). */
export interface AdyenWebhookConfig {
  /** RISKGATE_ADYEN_HMAC_KEYS, hex-decoded: the new and the old while the operator rotates */
  hmacKeys: Buffer[]
  /** RISKGATE_ADYEN_BASIC_AUTH, `user:password`: when set, every notification must carry it */
  basicAuth?: string
}

/** an HMAC key as Adyen's Customer Area shows it: hex, 64 characters for a generated one */
const HEX_KEY = /^(?:[0-9A-Fa-f]{2}){16,128}$/
/** RFC 7617: a user-id without a colon, then the password; no control characters */
const BASIC_AUTH = /^[^:\p{Cc}]+:[^\p{Cc}]+$/u

/**
 * RISKGATE_ADYEN_HMAC_KEYS (comma-separated hex keys) and RISKGATE_ADYEN_BASIC_AUTH. Throws with a
 * message naming the variable and the entry, never a value. Basic auth without a key: a warning
 * (the route stays off: every item must be signed).
 */
export function adyenWebhookConfigFromEnv (raw: Env, warnings: string[]): AdyenWebhookConfig | undefined {
  const hmacKeys = (raw.RISKGATE_ADYEN_HMAC_KEYS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
    .map((s, i) => {
      if (!HEX_KEY.test(s)) throw new Error(`RISKGATE_ADYEN_HMAC_KEYS entry ${i + 1} is not an Adyen HMAC key (hex, as the Customer Area shows it)`)
      return Buffer.from(s, 'hex')
    })
  const basicAuth = raw.RISKGATE_ADYEN_BASIC_AUTH
  if (basicAuth !== undefined && basicAuth !== '' && !BASIC_AUTH.test(basicAuth)) {
    throw new Error('RISKGATE_ADYEN_BASIC_AUTH must be <username>:<password> (the username without a colon)')
  }
  const withAuth = basicAuth !== undefined && basicAuth !== ''
  if (hmacKeys.length === 0) {
    if (withAuth) warnings.push('RISKGATE_ADYEN_BASIC_AUTH is set without RISKGATE_ADYEN_HMAC_KEYS: POST /v1/webhooks/adyen answers 503 until an HMAC key is set')
    return undefined
  }
  return withAuth ? { hmacKeys, basicAuth } : { hmacKeys }
}
