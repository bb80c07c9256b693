import t from 'tap'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import type { RedisLogger } from '../../src/redis/client.js'
import { createVelocityPlanner } from '../../src/velocity/plan.js'
import { createRedisVelocityStore } from '../../src/velocity/redis-store.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'
import { settleWithin, watchUnhandledRejections } from '../helpers/settle.js'
import { exampleSpecs, features, T0 } from '../helpers/velocity-fixtures.js'
import { identify } from '../helpers/velocity-identify.js'

t.test('Redis killed mid-test: record rejects, nothing hangs or goes unhandled, then recovers',
  { skip: externalRedisUrl() !== undefined && 'needs a Redis of its own' }, async (t) => {
    const server = await startRedis(t)
    const warnings: string[] = []
    const logger: RedisLogger = { info: () => {}, warn: (_obj, msg) => { warnings.push(msg) } }
    const client = createRedisClient({ url: server.url }, { logger })
    t.teardown(async () => await closeRedis(client))
    t.ok(await waitForRedis(client, 5000))
    const unhandled = watchUnhandledRejections()

    const store = createRedisVelocityStore({ redis: client })
    const plan = createVelocityPlanner(exampleSpecs)
    const charge = features({ ip: '198.51.100.1', email: 'a@example.com', fingerprint: 'fp', bin: '424242' })
    const record = (): Promise<unknown> => store.record({ atMs: T0, plan: plan(charge), identify })
    t.same(await record(), { charges_per_ip_1h: 1, cards_per_email_24h: 1, amount_per_card_24h: 1000, charges_per_bin_ip_1h: 1 })

    // calls in flight when Redis dies
    const inFlight = Array.from({ length: 50 }, () => record())
    await server.kill()
    const outcomes = await Promise.all(inFlight.map(async (p) => await settleWithin(p, 5000)))
    t.notOk(outcomes.includes('pending'), `every call in flight settled (${outcomes.filter((o) => o === 'rejected').length} rejected)`)

    // calls while Redis is down
    t.equal(await settleWithin(record(), 5000), 'rejected', 'a call while Redis is down rejects')
    await t.rejects(record(), /enableOfflineQueue|Connection is closed|MaxRetriesPerRequest/)

    await server.restart()
    t.ok(await waitForRedis(client, 5000), 'the client reconnected by itself')
    const fresh = await store.record({ atMs: T0 + 1, plan: plan(features({ ip: '198.51.100.99' })), identify })
    t.same(fresh, { charges_per_ip_1h: 1 }, 'works again (the restarted Redis is empty)')
    // a call that rejected may still have been applied (ioredis resends what was in flight once it
    // reconnects): the caller's idempotency reservation, not the velocity store, keeps a charge
    // from being recorded twice

    await new Promise((resolve) => setImmediate(resolve))
    t.same(unhandled(), [], 'no unhandled rejection')
    t.ok(warnings.length >= 1, 'the outage was logged through the given logger')
  })
