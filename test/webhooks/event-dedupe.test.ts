import t from 'tap'
import type { Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { createEventDedupe } from '../../src/webhooks/event-dedupe.js'
import type { EventDedupe } from '../../src/webhooks/event-dedupe.js'
import { connectRedis } from '../helpers/redis.js'

const HASH_KEY = 'test-hash-key-webhooks-0123456789abcdef'
let client: Redis
t.before(async () => {
  ;({ client } = await connectRedis(t))
})

function behaviour (t: Test, create: () => EventDedupe): void {
  t.test('the first claim wins; a release lets the next one win', async (t) => {
    const dedupe = create()
    t.equal(await dedupe.claim('evnt_test_1'), true)
    t.equal(await dedupe.claim('evnt_test_1'), false)
    t.equal(await dedupe.claim('evnt_test_2'), true)
    await dedupe.release('evnt_test_1')
    t.equal(await dedupe.claim('evnt_test_1'), true)
  })
  t.test('concurrent deliveries: exactly one claims', async (t) => {
    const dedupe = create()
    const claims = await Promise.all(Array.from({ length: 20 }, async () => await dedupe.claim('evnt_test_race')))
    t.equal(claims.filter(Boolean).length, 1)
  })
}

t.test('in process', async (t) => {
  behaviour(t, () => createEventDedupe({ redis: null, hashKey: HASH_KEY, source: 'omise' }))
  t.test('expiry and bound', async (t) => {
    let clock = 0
    const dedupe = createEventDedupe({ redis: null, hashKey: HASH_KEY, source: 'omise', ttlSeconds: 10, maxEntries: 2, now: () => clock })
    t.equal(await dedupe.claim('a'), true)
    clock = 10_000
    t.equal(await dedupe.claim('a'), true, 'expired')
    await dedupe.claim('b')
    await dedupe.claim('c')
    t.equal(await dedupe.claim('a'), true, 'dropped by the bound')
  })
})

t.test('Redis', async (t) => {
  behaviour(t, () => createEventDedupe({ redis: client, hashKey: HASH_KEY, source: 'omise', keyPrefix: `test:${randomUUID()}:` }))
  t.test('one key per event, a keyed hash with a TTL', async (t) => {
    const prefix = `test:${randomUUID()}:`
    const dedupe = createEventDedupe({ redis: client, hashKey: HASH_KEY, source: 'omise', keyPrefix: prefix, ttlSeconds: 600 })
    await dedupe.claim('evnt_test_keyed')
    const keys = await client.keys(`${prefix}*`)
    t.equal(keys.length, 1)
    t.match(keys[0], new RegExp(`^${prefix}omise:[A-Za-z0-9_-]{22}$`))
    const ttl = await client.ttl(keys[0] as string)
    t.ok(ttl > 0 && ttl <= 600)
  })
})
