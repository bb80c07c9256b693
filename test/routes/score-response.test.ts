import t from 'tap'
import type { Test } from 'tap'
import fc from 'fast-check'
import Fastify from 'fastify'
import { Value } from 'typebox/value'
import { ScoreResponseSchema } from '../../src/schemas/decision.js'
import { buildTestApp, charge, scoreAuth, TOR_EXIT } from '../helpers/app.js'

const json = { 'content-type': 'application/json' }

/**
 * The schema's own serializer (what Fastify compiles from ScoreResponseSchema): an app whose one
 * route answers its body back through it.
 */
async function schemaSerializer (t: Test): Promise<(answer: unknown) => Promise<string>> {
  const echo = Fastify()
  echo.post('/echo', { schema: { response: { 200: ScoreResponseSchema } } }, async (request) => request.body)
  t.teardown(() => echo.close())
  await echo.ready()
  return async (answer) => (await echo.inject({ method: 'POST', url: '/echo', headers: json, payload: JSON.stringify(answer) })).body
}

const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .'-]{0,20}$/)
const country = fc.constantFrom('TH', 'AU', 'US', 'GB', 'DE', 'SG', 'th', 'JP')
const address = fc.record({
  name: word,
  line1: word,
  line2: word,
  city: word,
  state: word,
  postal_code: fc.stringMatching(/^[0-9]{5}$/),
  country
}, { requiredKeys: [] })

/** charges that differ in every part the answer reports: signals, rules fired, velocity, device */
const chargeParts = fc.record({
  amount: fc.integer({ min: 1, max: 5_000_000 }),
  currency: fc.constantFrom('THB', 'USD', 'SGD', 'EUR'),
  ip: fc.constantFrom('1.128.0.10', '1.128.0.66', '81.2.69.160', TOR_EXIT, '10.0.0.7', '198.51.100.7', '2001:db8::1', '::ffff:1.128.0.10'),
  email: fc.constantFrom('somchai@example.co.th', 'a@mailinator.com', 'buyer+1@gmail.com', 'x.y@hotmail.com'),
  customer_id: fc.constantFrom('cus_1', 'cus_2', 'cus_3'),
  card: fc.record({
    bin: fc.constantFrom('424242', '45717360', '62270000'),
    last4: fc.stringMatching(/^[0-9]{4}$/),
    country,
    fingerprint: fc.constantFrom('fp_a', 'fp_b', 'fp_c'),
    brand: fc.constantFrom('visa', 'amex', 'Visa'),
    funding: fc.constantFrom('credit', 'debit', 'prepaid')
  }, { requiredKeys: ['fingerprint'] }),
  billing: address,
  shipping: address,
  items: fc.array(fc.record({
    sku: word,
    name: word,
    category: fc.constantFrom('books', 'gift_card', 'electronics'),
    quantity: fc.integer({ min: 1, max: 50 }),
    unit_price: fc.integer({ min: 0, max: 1_000_000 })
  }, { requiredKeys: [] }), { maxLength: 3 }),
  // a `__proto__` key is refused as invalid JSON (prototype poisoning), before any answer
  metadata: fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/).filter((key) => key !== '__proto__'), fc.oneof(word, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), { maxKeys: 3 }),
  description: word,
  user_agent: fc.constantFrom('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', 'curl/8.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)'),
  accept_language: fc.constantFrom('th-TH,th;q=0.9', 'en-US', 'de')
}, { requiredKeys: ['amount', 'currency', 'ip'] })

t.test('the 200 answer: JSON.stringify writes what the schema serializer would, with nothing beside the schema', async (t) => {
  const { app } = await buildTestApp(t)
  const reference = await schemaSerializer(t)
  let answers = 0
  await fc.assert(fc.asyncProperty(chargeParts, async (parts) => {
    const body = { charge_id: charge().charge_id, ...parts }
    for (const attempt of ['first', 'retry'] as const) {
      const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { ...json, ...scoreAuth }, payload: JSON.stringify(body) })
      if (res.statusCode !== 200) throw new Error(`${attempt}: answered ${res.statusCode} ${res.body}`)
      if (res.headers['content-type'] !== 'application/json; charset=utf-8') throw new Error(`content-type ${String(res.headers['content-type'])}`)
      const answer = JSON.parse(res.body) as unknown
      // additionalProperties: false at every level: a field beside the schema fails here
      if (!Value.Check(ScoreResponseSchema, answer)) throw new Error(`${attempt}: not the schema's shape: ${[...Value.Errors(ScoreResponseSchema, answer)].slice(0, 3).map((e) => `${e.instancePath} ${e.message}`).join('; ')}`)
      t.same(JSON.parse(await reference(answer)), answer, `${attempt}: the schema serializer writes the same answer`, { diagnostic: false })
      if (attempt === 'retry' && (answer as { replayed: boolean }).replayed !== true) throw new Error('the retry was not replayed')
      answers++
    }
  }), { numRuns: 60 })
  t.ok(answers >= 120, `${answers} answers checked`)
})
