import t from 'tap'
import type { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { createRedisVelocityStore } from '../../src/velocity/redis-store.js'
import { connectRedis, externalRedisUrl } from '../helpers/redis.js'
import { recorder, velocityStoreModelCheck, velocityStoreSuite } from '../helpers/velocity-store-suite.js'
import { count, DAY, exampleSpecs, features, T0 } from '../helpers/velocity-fixtures.js'

const HASH_KEY = 'test-hash-key-redis-store-0123456789'

let client: Redis
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

const newPrefix = (): string => `test:${randomUUID()}:`

async function scanKeys (redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  return keys.sort()
}

t.test('shared store behaviour', async (t) => {
  const create = async (_t: unknown, options = {}) =>
    createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix(), ...options })
  velocityStoreSuite(t, create)
  velocityStoreModelCheck(t, create, 40)
})

t.test('keys: hash-tagged per entity, all with a TTL, no raw identifier in keys or members', async (t) => {
  const prefix = newPrefix()
  const store = createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: prefix })
  const specs = [...exampleSpecs, count('per_customer_90d', ['customer.id'], 7_776_000)]
  const record = recorder(store, specs)
  const identifiers = {
    ip: '198.51.100.77',
    email: 'shopper@example.com',
    fingerprint: 'fp_secretcard123',
    bin: '424242',
    customer: 'cus_12345'
  }
  const chargeIds = ['chrg_test_aaa111', 'chrg_test_bbb222']
  await record(chargeIds[0] as string, T0, { ...identifiers, amount: 1234 })
  await record(chargeIds[1] as string, T0 + 1000, { ...identifiers, fingerprint: 'fp_othercard456', amount: 99 })

  const keys = await scanKeys(client, prefix)
  // ip: events; email: events + distinct; two cards: events + sum; bin+ip: events; customer: events
  t.equal(keys.length, 9, keys.join('\n'))
  const raw = [...Object.values(identifiers), 'fp_othercard456', ...chargeIds, '1234']
  const tags = new Set<string>()
  let longLived = 0
  for (const key of keys) {
    const tag = /^[^{}]*\{([A-Za-z0-9_-]{22})\}:(c|d:[a-z.]+|s:[a-z.]+)$/.exec(key.slice(prefix.length))
    t.ok(tag, `${key} has one 22-character hash tag`)
    if (tag !== null) tags.add(tag[1] as string)
    const pttl = await client.pttl(key)
    t.ok(pttl > 0 && pttl <= 90 * DAY, `${key} expires (PTTL ${pttl} ms)`)
    if (pttl > DAY) longLived++
    const members = await client.zrange(key, '0', '-1')
    t.ok(members.length > 0)
    for (const value of raw) {
      t.notOk(key.slice(prefix.length).includes(value), `no ${value} in the key`)
      t.notOk(members.some((m) => m.includes(value) && !/^[A-Za-z0-9_-]{22}:\d+$/.test(m)), `no ${value} in the members of ${key}`)
    }
  }
  t.equal(tags.size, 6, 'six entities: ip, email, two cards, bin+ip, customer')
  t.equal(longLived, 1, 'only the customer key lives 90 days, the others one day at most')
  const sumMembers = (await Promise.all(keys.filter((k) => k.includes(':s:')).map(async (k) => await client.zrange(k, '0', '-1')))).flat()
  t.same(sumMembers.map((m) => m.split(':')[1]).sort(), ['1234', '99'], 'sum members hold the charge hash and the amount only')
})

t.test('one script call for all entities (standalone Redis), and the script is reloaded after SCRIPT FLUSH', { skip: externalRedisUrl() !== undefined && 'needs a Redis of its own' }, async (t) => {
  const store = createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: newPrefix() })
  const plan = createVelocityPlanner(exampleSpecs)
  const scriptCalls = async (): Promise<number> => {
    const info = await client.info('commandstats')
    let calls = 0
    for (const match of info.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) calls += Number(match[1])
    return calls
  }
  const charge = features({ ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp', bin: '424242' })
  await store.record({ chargeId: 'warm-up', atMs: T0, plan: plan(charge) })
  const before = await scriptCalls()
  const v = await store.record({ chargeId: 'ch_1', atMs: T0 + 1, plan: plan(charge) })
  t.equal(await scriptCalls() - before, 1, 'four entities, one call')
  t.same(v, { charges_per_ip_1h: 2, cards_per_email_24h: 1, amount_per_card_24h: 2000, charges_per_bin_ip_1h: 2 })

  await client.script('FLUSH')
  const after = await store.record({ chargeId: 'ch_2', atMs: T0 + 2, plan: plan(charge) })
  t.equal(after.charges_per_ip_1h, 3, 'works again after the script cache was flushed')
})

t.test('options are checked', async (t) => {
  t.throws(() => createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, keyPrefix: 'a{b}:' }))
  t.throws(() => createRedisVelocityStore({ redis: client, hashKey: HASH_KEY, maxEventsPerSeries: 0 }), RangeError)
  t.throws(() => createRedisVelocityStore({ redis: client, hashKey: '' }))
})
