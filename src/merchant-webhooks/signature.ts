import { createHmac } from 'node:crypto'

/** The headers of a delivery (lower case, as Node gives them to the receiver). */
export const SIGNATURE_HEADER = 'riskgate-signature'
export const EVENT_ID_HEADER = 'riskgate-event-id'

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the secret's UTF-8
 * bytes (RISKGATE_MERCHANT_WEBHOOK_SECRET). Each attempt is signed anew with its own time, so a
 * receiver can refuse a replay of an old delivery by its age.
 */
export function signatureHeader (secret: string, timestampSeconds: number, body: string | Buffer): string {
  const t = String(Math.floor(timestampSeconds))
  const v1 = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')
  return `t=${t},v1=${v1}`
}
