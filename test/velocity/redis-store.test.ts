import t from 'tap'
import type { Redis } from 'ioredis'
import fc from 'fast-check'
import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { projectRoot } from '../../src/signals/ip/bundled-data.js'
import { createMemoryVelocityStore } from '../../src/velocity/memory-store.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { createRedisVelocityStore } from '../../src/velocity/redis-store.js'
import type { VelocityStore } from '../../src/velocity/store.js'
import { connectRedis, externalRedisUrl } from '../helpers/redis.js'
import { recorder, timed, timedSteps, velocityStoreModelCheck, velocityStoreSuite } from '../helpers/velocity-store-suite.js'
import { count, DAY, distinct, exampleSpecs, features, MINUTE, sum, T0 } from '../helpers/velocity-fixtures.js'
import type { ChargeInput } from '../helpers/velocity-fixtures.js'
import { identify } from '../helpers/velocity-identify.js'

let client: Redis
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

const newPrefix = (): string => `test:${randomUUID()}:`
const ownRedis = { skip: externalRedisUrl() !== undefined && 'needs a Redis of its own (INFO commandstats)' }

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

/** Calls per command since the server started, scripts' own commands included. */
async function commandStats (redis: Redis): Promise<Map<string, number>> {
  const stats = new Map<string, number>()
  for (const match of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    stats.set(match[1] as string, Number(match[2]))
  }
  return stats
}

const NOT_IN_SCRIPTS = new Set(['info', 'eval', 'evalsha', 'script', 'ping', 'client', 'hello', 'select', 'config', 'command', 'scan'])

/** The commands the velocity script ran during `fn`, by name. */
async function scriptCommands (redis: Redis, fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await commandStats(redis)
  await fn()
  const after = await commandStats(redis)
  const ran: Record<string, number> = {}
  for (const [name, calls] of after) {
    const n = calls - (before.get(name) ?? 0)
    if (n > 0 && !NOT_IN_SCRIPTS.has(name.split('|')[0] as string)) ran[name] = n
  }
  return ran
}

const total = (ran: Record<string, number>): number => Object.values(ran).reduce((s, n) => s + n, 0)

t.test('shared store behaviour', async (t) => {
  const create = async (_t: unknown, options = {}) => createRedisVelocityStore({ redis: client, keyPrefix: newPrefix(), ...options })
  velocityStoreSuite(t, create)
  velocityStoreModelCheck(t, create, 40)
})

interface DiffCharge {
  ip: number
  email: number | undefined
  fp: number | undefined
  bin: number | undefined
  amount: number
  points: number | undefined
}

const DIFF_SPECS = [
  count('per_ip_1m', ['ip.address'], 60),
  count('per_ip_1h', ['ip.address'], 3600),
  count('per_ip_1d', ['ip.address'], 86_400),
  distinct('cards_per_ip_1h', 'card.fingerprint', ['ip.address'], 3600),
  distinct('cards_per_email_10m', 'card.fingerprint', ['email.address'], 600),
  distinct('cards_per_email_1d', 'card.fingerprint', ['email.address'], 86_400),
  sum('points_per_email_1m', 'metadata.points', ['email.address'], 60),
  count('per_card_1h', ['card.fingerprint'], 3600),
  sum('amount_per_card_1h', 'amount', ['card.fingerprint'], 3600),
  sum('amount_per_card_1d', 'amount', ['card.fingerprint'], 86_400),
  count('per_bin_ip_5m', ['card.bin', 'ip.address'], 300),
  distinct('cards_per_bin_ip_5m', 'card.fingerprint', ['card.bin', 'ip.address'], 300)
]

function diffInput (c: DiffCharge): ChargeInput {
  const input: ChargeInput = { ip: `198.51.100.${c.ip}`, amount: c.amount }
  if (c.email !== undefined) input.email = `s${c.email}@example.com`
  if (c.fp !== undefined) input.fingerprint = `fp_${c.fp}`
  if (c.bin !== undefined) input.bin = `42424${c.bin}`
  if (c.points !== undefined) input.metadata = { points: c.points }
  return input
}

function diffEntities (c: DiffCharge): Array<[string, number]> {
  const entities: Array<[string, number]> = [[`ip${c.ip}`, DAY]]
  if (c.email !== undefined) entities.push([`email${c.email}`, DAY])
  if (c.fp !== undefined) entities.push([`card${c.fp}`, DAY])
  if (c.bin !== undefined) entities.push([`bin${c.bin}ip${c.ip}`, 5 * MINUTE])
  return entities
}

t.test('the Redis store and the in-process store give identical values for random charges', async (t) => {
  const near = 2 ** 53
  const charge = fc.record({
    ip: fc.integer({ min: 0, max: 2 }),
    email: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    fp: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    bin: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
    amount: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: near / 4, max: near }), fc.constant(2 ** 60)),
    points: fc.option(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e16, max: 1e16, noNaN: true })), { nil: undefined })
  })
  const runs = 60
  await fc.assert(fc.asyncProperty(timedSteps(charge, 60), fc.integer({ min: 1, max: 4 }), async (steps, cap) => {
    const charges = timed(steps, diffEntities)
    const stores: VelocityStore[] = [
      createRedisVelocityStore({ redis: client, keyPrefix: newPrefix(), maxDistinctPerSeries: cap }),
      createMemoryVelocityStore({ maxDistinctPerSeries: cap })
    ]
    const [viaRedis, inProcess] = stores.map((s) => recorder(s, DIFF_SPECS))
    for (const [i, c] of charges.entries()) {
      const a = await (viaRedis as ReturnType<typeof recorder>)(c.at, diffInput(c))
      const b = await (inProcess as ReturnType<typeof recorder>)(c.at, diffInput(c))
      if (!isDeepStrictEqual(a, b)) throw new Error(`step ${i}: Redis ${JSON.stringify(a)}, in process ${JSON.stringify(b)}`)
    }
  }), { numRuns: runs })
  t.pass(`${runs} random sequences`)
})

t.test('ten and more rings, windows and entities in one call: the same values as the in-process store', async (t) => {
  // the script reads a one-digit count as its byte, a longer one as a number: both are needed here
  const windows = [60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400]
  const groupings = [['ip.address'], ['email.address'], ['card.fingerprint'], ['card.bin'], ['card.bin', 'ip.address'], ['email.address', 'ip.address'], ['card.fingerprint', 'ip.address'], ['card.bin', 'email.address'], ['card.fingerprint', 'email.address'], ['card.bin', 'card.fingerprint'], ['card.bin', 'card.fingerprint', 'ip.address']]
  const specs = [
    ...windows.map((w) => count(`per_ip_${w}`, ['ip.address'], w)),
    ...windows.map((w) => distinct(`cards_per_email_${w}`, 'card.fingerprint', ['email.address'], w)),
    ...groupings.map((by, i) => count(`per_grouping_${i}`, by, 3600))
  ]
  t.equal(windows.length, 12)
  t.equal(groupings.length, 11)
  const viaRedis = recorder(createRedisVelocityStore({ redis: client, keyPrefix: newPrefix() }), specs)
  const inProcess = recorder(createMemoryVelocityStore({}), specs)
  for (let i = 0; i < 40; i++) {
    const charge: ChargeInput = { ip: `198.51.100.${i % 3}`, email: `s${i % 2}@example.com`, fingerprint: `fp_${i % 5}`, bin: `42424${i % 2}`, amount: 1000 }
    const at = T0 + i * 97 * 1000
    const a = await viaRedis(at, charge)
    t.same(a, await inProcess(at, charge), `charge ${i}`)
    if (i === 39) {
      t.equal(a.per_ip_60, 1)
      t.equal(a.per_ip_86400, 14)
      t.equal(a.cards_per_email_86400, 5)
      t.equal(a.per_grouping_10, 2)
    }
  }
})

t.test('keys: one hash per entity and a sorted set per distinct series, hash-tagged, all with a TTL, no raw identifier', async (t) => {
  const prefix = newPrefix()
  const store = createRedisVelocityStore({ redis: client, keyPrefix: prefix })
  const specs = [...exampleSpecs, count('per_customer_90d', ['customer.id'], 7_776_000)]
  const record = recorder(store, specs)
  const identifiers = {
    ip: '198.51.100.77',
    email: 'shopper@example.com',
    fingerprint: 'fp_secretcard123',
    bin: '424242',
    customer: 'cus_12345'
  }
  await record(T0, { ...identifiers, amount: 1234 })
  await record(T0 + 1000, { ...identifiers, fingerprint: 'fp_othercard456', amount: 99 })

  const keys = await scanKeys(client, prefix)
  // hashes: ip, two cards, bin+ip, customer; sorted set: the email's cards
  t.equal(keys.length, 6, keys.join('\n'))
  const raw = [...Object.values(identifiers), 'fp_othercard456']
  const tags = new Set<string>()
  let longLived = 0
  for (const key of keys) {
    const rest = key.slice(prefix.length)
    const tag = /^\{((?:[a-z.]+:)?[A-Za-z0-9_-]{22})\}(:d:card\.fingerprint)?$/.exec(rest)
    t.ok(tag, `${key}: one hash tag, the entity's path and digest or a composite digest`)
    if (tag !== null) tags.add(tag[1] as string)
    const pttl = await client.pttl(key)
    // one retention and one bucket (retention / 60) of the entity's longest window
    t.ok(pttl > 0 && pttl <= 90 * DAY + 90 * DAY / 60, `${key} expires (PTTL ${pttl} ms)`)
    if (pttl > DAY + DAY / 60) longLived++
    const type = await client.type(key)
    const contents = type === 'hash' ? Object.entries(await client.hgetall(key)).flat() : await client.zrange(key, '0', '-1')
    t.ok(contents.length > 0)
    for (const value of raw) {
      t.notOk(rest.includes(value), `no ${value} in the key`)
      t.notOk(contents.some((m) => m.includes(value)), `no ${value} in ${key}`)
    }
  }
  t.equal(tags.size, 6, 'six entities: ip, email, two cards, bin+ip, customer')
  t.equal(longLived, 1, 'only the customer key lives 90 days, the others one day (and a bucket) at most')

  const cards = keys.filter((k) => k.includes('{card.fingerprint:'))
  const bucket = Math.floor(T0 / (DAY / 60))
  const cardHashes = await Promise.all(cards.map(async (k) => await client.hgetall(k)))
  t.same(cardHashes.map((h) => h[`s86400000:amount:${bucket % 60}`]).sort(), ['1234', '99'])
  for (const h of cardHashes) {
    const amount = h[`s86400000:amount:${bucket % 60}`] as string
    t.same(h, { [`s86400000:amount:${bucket % 60}`]: amount, 's86400000:amount:h': String(bucket), 's86400000:amount:t': amount },
      'a card charged once: its sum ring holds one bucket, the head and the total')
  }
  const card = cards[0] as string
  t.match(await client.object('ENCODING', card), /^(listpack|ziplist)$/, 'a small listpack')
  const ip = keys.find((k) => k.includes('{ip.address:')) as string
  t.same(await client.hgetall(ip), { 'c3600000:0': '2', 'c3600000:h': String(T0 / MINUTE), 'c3600000:t': '2' },
    'two charges in one bucket of a minute')
})

t.test('cleared buckets are removed from the hash', async (t) => {
  const prefix = newPrefix()
  const record = recorder(createRedisVelocityStore({ redis: client, keyPrefix: prefix }), [count('per_ip_1m', ['ip.address'], 60)])
  for (let i = 0; i < 60; i++) await record(T0 + i * 1000, { ip: '198.51.100.1' })
  const [key] = await scanKeys(client, prefix)
  t.equal(await client.hlen(key as string), 62, 'sixty buckets, head and total')
  t.same(await record(T0 + 90_000, { ip: '198.51.100.1' }), { per_ip_1m: 30 })
  t.equal(await client.hlen(key as string), 32, 'thirty buckets left the window')
  t.same(await record(T0 + 10 * MINUTE, { ip: '198.51.100.1' }), { per_ip_1m: 1 })
  t.equal(await client.hlen(key as string), 3, 'idle: all cleared')
})

t.test('constant cost: the 10,000th charge of a card runs no more commands than the first of a fresh card', ownRedis, async (t) => {
  const { velocity } = await loadRuleSet(`${projectRoot()}/rules`)
  const cardSpecs = [...velocity].filter((s) => s.by.length === 1 && s.by[0] === 'card.fingerprint')
  t.ok(cardSpecs.length >= 2, 'the default rule set counts and sums per card')
  const store = createRedisVelocityStore({ redis: client, keyPrefix: newPrefix() })
  const card = recorder(store, cardSpecs)
  const all = recorder(store, [...velocity])
  const busy = { fingerprint: 'fp_busy', ip: '198.51.100.50', email: 'busy@example.com', bin: '424242', amount: 1500 }
  // 9,999 charges over 50 minutes, every entity of the default rule set
  const step = 300
  for (let i = 0; i < 9999; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, 9999 - i) }, async (_, j) => await all(T0 + (i + j) * step, busy)))
  }
  const at = T0 + 9998 * step + 1

  let v = {}
  const heavy = await scriptCommands(client, async () => { v = await card(at, busy) })
  t.match(v, { charges_per_card_1h: 10_000, amount_per_card_24h: 15_000_000 })
  const fresh = await scriptCommands(client, async () => { v = await card(at, { ...busy, fingerprint: 'fp_fresh' }) })
  t.match(v, { charges_per_card_1h: 1, amount_per_card_24h: 1500 })
  t.same(fresh, { hmget: 1, hset: 1, pexpire: 1 }, 'a fresh card: read, write, and its expiry set')
  t.same(heavy, { hmget: 1, hincrby: 4 }, 'the 10,000th charge, in the current bucket: one read, and Redis adds to the total and the bucket of both rings')

  // the default rule set's four entities
  const heavyAll = await scriptCommands(client, async () => { v = await all(at + 1, busy) })
  t.match(v, { charges_per_ip_1h: 10_000, charges_per_email_24h: 10_000, charges_per_card_1h: 10_001, cards_per_email_24h: 1 })
  const freshAll = await scriptCommands(client, async () => {
    await all(at + 1, { ...busy, fingerprint: 'fp_new', ip: '198.51.100.51', email: 'new@example.com', bin: '555555' })
  })
  t.equal(freshAll.zcard, 1, 'a new value: the cap is checked, but in the series of a new entity (nothing to trim); card.bin + ip has no ring to tell')
  t.equal(freshAll.pexpire, 6, 'fresh keys: each gets its expiry')
  t.same(heavyAll, { hmget: 3, hincrby: 8, zadd: 3, zcount: 3, pexpire: 1, zremrangebyscore: 1 },
    'the 10,000th charge: each hash read once, two HINCRBY per ring (four rings), each distinct value re-seen and counted; the entity without rings (card.bin + ip) refreshes its key')
  t.comment(`per charge, default rule set: a fresh entity set ${total(freshAll)} commands ${JSON.stringify(freshAll)}; ` +
    `the 10,000th charge ${total(heavyAll)} ${JSON.stringify(heavyAll)}`)

  // the head of the rings moves forward: bounded by a constant, not by the charges in the window
  const moved = await scriptCommands(client, async () => { v = await all(at + 30 * MINUTE, busy) })
  t.ok(total(moved) <= total(freshAll) + 2 * (heavyAll.hmget ?? 0) + (heavyAll.zadd ?? 0),
    `head moved 30 buckets: ${total(moved)} commands ${JSON.stringify(moved)}, at most a fresh charge's, a second HMGET and an HDEL per hash and a trim per distinct series`)
})

t.test('one script call for all entities (standalone Redis), and the script is reloaded after SCRIPT FLUSH', ownRedis, async (t) => {
  const store = createRedisVelocityStore({ redis: client, keyPrefix: newPrefix() })
  const plan = createVelocityPlanner(exampleSpecs)
  const scriptCalls = async (): Promise<number> => {
    const stats = await commandStats(client)
    return (stats.get('eval') ?? 0) + (stats.get('evalsha') ?? 0)
  }
  const charge = features({ ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp', bin: '424242' })
  await store.record({ atMs: T0, plan: plan(charge), identify })
  const before = await scriptCalls()
  const v = await store.record({ atMs: T0 + 1, plan: plan(charge), identify })
  t.equal(await scriptCalls() - before, 1, 'four entities, one call')
  t.same(v, { charges_per_ip_1h: 2, cards_per_email_24h: 1, amount_per_card_24h: 2000, charges_per_bin_ip_1h: 2 })

  await client.script('FLUSH')
  const after = await store.record({ atMs: T0 + 2, plan: plan(charge), identify })
  t.equal(after.charges_per_ip_1h, 3, 'works again after the script cache was flushed')
})

t.test('sums are exact through Redis up to 2^53 - 1', async (t) => {
  const record = recorder(createRedisVelocityStore({ redis: client, keyPrefix: newPrefix() }),
    [sum('amount_1h', 'amount', ['card.fingerprint'], 3600)])
  await record(T0, { fingerprint: 'fp', amount: 2 ** 53 - 3 })
  t.equal((await record(T0 + 1, { fingerprint: 'fp', amount: 1 })).amount_1h, 2 ** 53 - 2)
  t.equal((await record(T0 + 2, { fingerprint: 'fp', amount: 1 })).amount_1h, 2 ** 53 - 1)
  t.equal((await record(T0 + 2, { fingerprint: 'fp', amount: 1 })).amount_1h, 2 ** 53 - 1)
})

t.test('options are checked', async (t) => {
  t.throws(() => createRedisVelocityStore({ redis: client, keyPrefix: 'a{b}:' }))
  t.throws(() => createRedisVelocityStore({ redis: client, maxDistinctPerSeries: 0 }), RangeError)
})

t.test('the default key prefix is the v2 layout', async (t) => {
  const store = createRedisVelocityStore({ redis: client })
  await store.record({ atMs: T0, plan: createVelocityPlanner([count('per_ip', ['ip.address'], 60)])(features({ ip: '192.0.2.99' })), identify })
  const keys = await scanKeys(client, 'rg:v2:vel:{ip.address:')
  t.equal(keys.length, 1)
  await client.del(...keys)
})
