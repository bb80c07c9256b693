import t from 'tap'
import fc from 'fast-check'
import { createHmac } from 'node:crypto'
import { loadConfig } from '../../src/config/load-config.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'

/**
 * Property: whatever the HMAC key and the basic-auth password, and whatever is delivered (a valid
 * item, a duplicate, the wrong password, no auth, the wrong key, an unsigned item, a body that is
 * not a notification), neither the key (hex in either case, or its bytes as base64) nor the password
 * (or the Authorization header that carries it) appears in a log line, an answer's body or headers,
 * or a configuration message.
 */

const hex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('hex').toUpperCase())
/** marked, so that a match cannot be a coincidence of short strings */
const password = fc.stringMatching(/^[A-Za-z0-9!#%&*+=?@^_~:-]{8,32}$/).map((s) => `pw${s}`)
const user = fc.stringMatching(/^[a-z0-9_]{3,16}$/).map((s) => `ws_${s}`)

function sign (item: Record<string, unknown> & { amount: { value: number, currency: string } }, keyHex: string): Record<string, unknown> {
  const payload = [item.pspReference, item.originalReference ?? '', item.merchantAccountCode, item.merchantReference,
    item.amount.value, item.amount.currency, item.eventCode, item.success].join(':')
  return { ...item, additionalData: { hmacSignature: createHmac('sha256', Buffer.from(keyHex, 'hex')).update(payload).digest('base64') } }
}

let seq = 0

t.test('property: no HMAC key or basic-auth password in logs, answers or configuration messages', async (t) => {
  await fc.assert(fc.asyncProperty(hex, hex, user, password, async (keyHex, otherHex, username, secret) => {
    const credentials = `${username}:${secret}`
    const forbidden = [keyHex, keyHex.toLowerCase(), Buffer.from(keyHex, 'hex').toString('base64'), secret, Buffer.from(credentials).toString('base64')]
    const seen: string[] = []

    const loaded = await loadConfig({ RISKGATE_HASH_KEY: 'k'.repeat(40), RISKGATE_API_KEYS: `a:score:${'0'.repeat(64)}`, RISKGATE_ADYEN_BASIC_AUTH: credentials })
    seen.push(...loaded.warnings)
    const refused = await loadConfig({ RISKGATE_HASH_KEY: 'k'.repeat(40), RISKGATE_API_KEYS: `a:score:${'0'.repeat(64)}`, RISKGATE_ADYEN_HMAC_KEYS: `${keyHex},${keyHex}x`, RISKGATE_ADYEN_BASIC_AUTH: `:${secret}` })
      .then(() => 'loaded', (err: Error) => err.message)
    seen.push(refused)

    const { app, logs } = await buildTestApp(t, { adyenWebhook: { hmacKeys: [Buffer.from(keyHex, 'hex')], basicAuth: credentials } })
    const scored = (await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })).json<{ charge_id: string }>()
    const item = {
      amount: { currency: 'THB', value: 125000 },
      eventCode: 'AUTHORISATION',
      merchantAccountCode: 'RiskgateTestECOM',
      merchantReference: scored.charge_id,
      pspReference: `${String(process.pid % 10000).padStart(4, '0')}${String(++seq).padStart(12, '0')}`,
      success: 'true'
    }
    const good = { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
    const deliveries: Array<[Record<string, string>, string]> = [
      [good, JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: sign(item, keyHex) }] })],
      [good, JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: sign(item, keyHex) }] })],
      [{ authorization: `Basic ${Buffer.from(`${username}:${secret}x`).toString('base64')}` }, JSON.stringify({ notificationItems: [{ NotificationRequestItem: sign(item, keyHex) }] })],
      [{}, JSON.stringify({ notificationItems: [{ NotificationRequestItem: sign(item, keyHex) }] })],
      [good, JSON.stringify({ notificationItems: [{ NotificationRequestItem: sign(item, otherHex) }] })],
      [good, JSON.stringify({ notificationItems: [{ NotificationRequestItem: item }] })],
      [good, JSON.stringify({ notificationItems: [{ NotificationRequestItem: sign({ ...item, success: 'maybe' }, keyHex) }] })],
      [good, `{"notificationItems": "${secret}"`]
    ]
    for (const [headers, payload] of deliveries) {
      const res = await app.inject({ method: 'POST', url: '/v1/webhooks/adyen', headers: { 'content-type': 'application/json', ...headers }, payload })
      seen.push(res.body, JSON.stringify(res.headers))
    }
    await app.outbox.flush()
    await app.close()
    seen.push(...logs)
    const all = seen.join('\n')
    return forbidden.every((secretForm) => !all.includes(secretForm)) && app.adyenWebhooks.stats().applied === 1
  }), { numRuns: 12 })
})
