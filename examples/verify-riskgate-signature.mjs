import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Checks a riskgate merchant webhook before you act on it.
 *   rawBody: the request body exactly as received (a Buffer, or the string), before any JSON parsing
 *   header:  the Riskgate-Signature header, `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
 *   secret:  RISKGATE_MERCHANT_WEBHOOK_SECRET
 * True when a v1 signature matches and was made within `toleranceSeconds` of now (a replayed old
 * delivery is refused; riskgate signs every attempt anew).
 */
export function verifyRiskgateSignature (rawBody, header, secret, { toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000) } = {}) {
  if (typeof header !== 'string') return false
  let timestamp
  const signatures = []
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2)
    if (key === 't') timestamp = value
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) signatures.push(Buffer.from(value, 'hex'))
  }
  if (timestamp === undefined || !/^[0-9]{1,12}$/.test(timestamp)) return false
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest()
  return signatures.some((signature) => timingSafeEqual(signature, expected))
}
