import t from 'tap'
import fc from 'fast-check'
import type { Redis } from 'ioredis'
import { connectRedis } from '../helpers/redis.js'
import { analystAuth, buildTestApp, scoreAuth } from '../helpers/app.js'
import { generateCharges } from '../helpers/recorded-decisions.js'
import type { ChargeContext } from '../../src/schemas/charge.js'

const json = { 'content-type': 'application/json', ...scoreAuth }

let client: Redis
let url: string
t.before(async () => {
  const { server, client: connected } = await connectRedis(t)
  client = connected
  url = server.url
})

/** Every key of the Redis and everything each holds, as text. */
async function dumpRedis (redis: Redis): Promise<string[]> {
  const out: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500)
    cursor = next
    for (const key of keys) {
      out.push(key)
      const type = await redis.type(key)
      if (type === 'string') out.push(await redis.get(key) ?? '')
      else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat())
      else if (type === 'zset') out.push(...await redis.zrange(key, '0', '-1', 'WITHSCORES'))
      else if (type === 'set') out.push(...await redis.smembers(key))
      else if (type === 'list') out.push(...await redis.lrange(key, 0, -1))
      else if (type === 'stream') for (const [id, fields] of await redis.xrange(key, '-', '+')) out.push(id, ...fields)
      else out.push(`<${type}>`)
    }
  } while (cursor !== '0')
  return out
}

/** the identifiers of a charge that must exist at rest only as keyed digests */
function identifiersOf (charge: ChargeContext): string[] {
  const out = [charge.ip, charge.email, charge.email?.toLowerCase(), charge.customer_id, charge.card?.fingerprint,
    charge.billing?.name, charge.billing?.line1, charge.billing?.line2, charge.shipping?.name, charge.shipping?.line1, charge.shipping?.line2]
  return out.filter((v): v is string => typeof v === 'string' && v.length >= 4)
}

const identifier = fc.stringMatching(/^[a-z][a-z0-9._-]{5,20}$/)

t.test('after a scored corpus, no raw IP, email, card fingerprint, customer id, name or street line is anywhere in Redis, the export or a log line', async (t) => {
  await client.flushall()
  const { app, logs } = await buildTestApp(t, { redis: { url } })
  // a realistic corpus (pools of shoppers, cards, Tor and datacenter addresses) plus generated
  // identifiers of every shape, in every identifier field
  const corpus = generateCharges(400, 11)
  const generated = fc.sample(fc.record({ ip: fc.oneof(fc.ipV4(), fc.ipV6()), local: identifier, domain: fc.domain(), customer: identifier, fingerprint: identifier, name: identifier, line: identifier }), { numRuns: 200, seed: 7 })
  generated.forEach((g, i) => {
    corpus.push({
      charge_id: `ch_rest_${i}`,
      amount: 1000 + i,
      currency: 'THB',
      ip: g.ip,
      email: `${g.local}@${g.domain}`,
      customer_id: g.customer,
      card: { bin: '424242', last4: '4242', country: 'TH', fingerprint: g.fingerprint },
      billing: { name: g.name, line1: g.line, city: 'Bangkok', country: 'TH' },
      shipping: { name: g.name, line1: g.line, country: 'TH' }
    })
  })
  for (const body of corpus) {
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(body) })
    t.equal(res.statusCode, 200, 'scored', { diagnostic: false })
    if (res.statusCode !== 200) t.comment(res.body)
  }
  // retries (replayed from the log) and outcomes write too
  for (const body of corpus.slice(0, 20)) await app.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(body) })
  await app.outbox.flush()

  const atRest = (await dumpRedis(client)).join('\n')
  const exported = (await app.inject({ method: 'GET', url: '/v1/decisions/export', headers: analystAuth })).body
  const logged = logs.join('')
  t.ok(atRest.length > 10_000 && exported.length > 10_000, 'something was written')
  const ips = new Set<string>()
  let checked = 0
  for (const body of corpus) {
    for (const value of identifiersOf(body)) {
      // a short IPv4 can occur inside another number; look for it between non-digits
      const found = body.ip === value && /^[0-9.]+$/.test(value)
        ? new RegExp(`(^|[^0-9.])${value.replace(/\./g, '\\.')}($|[^0-9.])`).test(atRest)
        : atRest.includes(value)
      t.notOk(found, `${value} not in Redis`, { diagnostic: false })
      t.notOk(exported.includes(`"${value}"`), `${value} not in the export`, { diagnostic: false })
      t.notOk(logged.includes(value), `${value} not in a log line`, { diagnostic: false })
      if (body.ip === value) ips.add(value)
      checked++
    }
  }
  t.ok(checked > 1500, `${checked} identifiers of ${corpus.length} charges checked (${ips.size} distinct IPs)`)
})
