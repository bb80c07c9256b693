import t from 'tap'
import fc from 'fast-check'
import type { Redis } from 'ioredis'
import { analystAuth, buildTestApp } from '../helpers/app.js'
import { score, uniqueCharge } from '../helpers/analyst.js'
import { dumpKeys } from '../helpers/decision-log-redis-dump.js'
import { connectRedis, externalRedisUrl } from '../helpers/redis.js'
import { csvRows, omiseCsv, stripeDisputesCsv } from '../helpers/outcome-exports.js'
import { asciiDigits, cardInText, RENDERING_SEPARATORS } from './card-number-arbitraries.js'

let client: Redis
let url: string
t.before(async () => {
  const { server, client: connected } = await connectRedis(t)
  client = connected
  url = server.url
})

const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 12, maxLength: 12 })
/** what an export carries of the shopper beside the dispute: none of it is read, so none may be kept */
const shopper = fc.record({
  email: hex.map((h) => `shopper-${h}@example.com`),
  name: hex.map((h) => `Name ${h}`),
  customer: hex.map((h) => `cus_${h}`),
  ip: fc.ipV4().filter((ip) => !ip.startsWith('0.')),
  fingerprint: hex.map((h) => `fp_${h}`)
})

t.test('property: whatever personal data an export carries, no raw identifier or card number reaches Redis, the export or a log line', { skip: externalRedisUrl() !== undefined && 'dumps the whole Redis' }, async (t) => {
  await client.flushall()
  const { app, logs } = await buildTestApp(t, { redis: { url } })
  const charges = ['ch_3QrestCharge01', 'ch_3QrestCharge02', 'chrg_test_rest03', 'order_rest_04']
  for (const chargeId of charges) await score(app, uniqueCharge('allow', { charge_id: chargeId }))
  await app.outbox.flush()

  let run = 0
  const checked: string[] = []
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(shopper, cardInText), { minLength: 1, maxLength: 4 }), async (people) => {
    run++
    const now = Date.now() - 86_400_000
    const stripe = csvRows(stripeDisputesCsv(people.map(([p, card], i) => ({
      id: `du_1Qrest${run}x${i}`,
      chargeId: charges[i % 2],
      // an identifier where Stripe writes its reason: no word of Stripe's, not kept
      reason: i % 2 === 0 ? p.email : 'fraudulent',
      status: 'lost',
      createdMs: now,
      email: p.email,
      description: `${p.name} at ${p.ip}, ${card.text}`
    }))))
    for (const [i, row] of stripe.entries()) {
      const [p] = people[i] ?? []
      Object.assign(row, { 'Customer ID': p?.customer ?? '', 'Card Fingerprint': p?.fingerprint ?? '' })
    }
    const omise = csvRows(omiseCsv(people.map(([p], i) => ({ id: `dspt_test_rest${run}x${i}`, kind: 'dispute' as const, charge: 'chrg_test_rest03', createdMs: now, status: 'open', email: p.email, reasonCode: p.customer }))))
    const generic = people.map(([p, card]) => ({ charge_id: 'order_rest_04', outcome: 'chargeback', note: `called back: ${card.text}`, email: p.email, ip: p.ip, customer_id: p.customer, card_fingerprint: p.fingerprint }))
    for (const [format, rows] of [['stripe-disputes', stripe], ['omise', omise], ['generic', generic]] as const) {
      const res = await app.inject({ method: 'POST', url: '/v1/outcomes:batch', headers: { 'content-type': 'application/json', ...analystAuth }, payload: JSON.stringify({ format, rows }) })
      if (res.statusCode !== 200 || res.json().counts.applied + res.json().counts.kept !== rows.length) throw new Error(`${format}: ${res.body}`)
    }
    await app.outbox.flush()

    const atRest = (await dumpKeys(client, '')).map((k) => `${k.key} ${k.text}`).join('\n')
    const exported = (await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body
    const logged = logs.join('')
    for (const [p, card] of people) {
      for (const value of [p.email, p.name, p.customer, p.fingerprint, p.email.replace(/[^a-z0-9]+/g, '_')]) {
        if (atRest.includes(value) || exported.includes(value) || logged.includes(value)) return false
        checked.push(value)
      }
      if (new RegExp(`(^|[^0-9.])${p.ip.replace(/\./g, '\\.')}($|[^0-9.])`).test(atRest + exported + logged)) return false
      for (const text of [atRest, exported, logged]) {
        const squeezed = asciiDigits(text).replace(RENDERING_SEPARATORS, '')
        if (text.includes(card.rendering.text) || squeezed.includes(card.card.digits)) return false
      }
    }
    return true
  }), { numRuns: 25 })
  t.ok(checked.length >= 100, `${checked.length} identifiers checked`)
  const record = (await app.inject({ method: 'GET', url: '/v1/decisions/by-charge/order_rest_04', headers: analystAuth })).json()
  t.match(record.outcome, { source: 'import', label: 'chargeback' }, 'the outcomes were written')
})
