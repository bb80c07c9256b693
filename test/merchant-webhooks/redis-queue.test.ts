import t from 'tap'
import type { Redis } from 'ioredis'
import { createOutbox } from '../../src/outbox/outbox.js'
import type { Outbox } from '../../src/outbox/outbox.js'
import { reviewClosedEvent, reviewOpenedEvent } from '../../src/merchant-webhooks/events.js'
import { createMerchantWebhooks } from '../../src/merchant-webhooks/merchant-webhooks.js'
import type { MerchantWebhookService } from '../../src/merchant-webhooks/merchant-webhooks.js'
import { createRedisQueue } from '../../src/merchant-webhooks/redis-queue.js'
import { createSender } from '../../src/merchant-webhooks/sender.js'
import { closeRedis, createRedisClient, waitForRedis } from '../../src/redis/client.js'
import { connectRedis } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'
import { startReceiver } from '../helpers/webhook-receiver.js'

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef'
const T0 = Date.UTC(2026, 11, 4, 10)
const quiet = { warn: () => {}, error: () => {} }

let redis: Redis
let server: RedisServer
t.before(async () => {
  ({ client: redis, server } = await connectRedis(t))
})

let prefixes = 0
const prefix = (): string => `rg:test:mwh:${process.pid}:${++prefixes}:`

let decisions = 0
function record (): { decision_id: string, charge_id: string, score: number, amount: number, currency: string, fired: string[] } {
  decisions++
  return { decision_id: `7d1f0a2b-3c4d-8e5f-a6b7-${decisions.toString(16).padStart(12, '0')}`, charge_id: `ord_${decisions}`, score: 55, amount: 250_000, currency: 'THB', fired: ['large_amount'] }
}

const closedOf = (r: ReturnType<typeof record>, atMs: number): ReturnType<typeof reviewClosedEvent> =>
  reviewClosedEvent({ decisionId: r.decision_id, chargeId: r.charge_id, action: 'approve', actor: 'key:analyst-1', at: new Date(atMs) }, atMs)

t.test('enqueue is idempotent by event id and by decision and type; every key shares one hash tag', async (t) => {
  const keyPrefix = prefix()
  const queue = createRedisQueue({ redis, keyPrefix })
  const r = record()
  const opened = reviewOpenedEvent(r, T0)
  t.same(await queue.enqueue([opened], T0), ['queued'])
  t.same(await queue.enqueue([opened], T0 + 1), ['duplicate'], 'the same event again')
  t.same(await queue.enqueue([reviewOpenedEvent(r, T0 + 2)], T0 + 2), ['duplicate'], 'another review.opened of the same decision (a resent record)')
  t.same(await queue.stats(), { depth: 1, oldestCreatedMs: T0 })
  const keys = await redis.keys(`${keyPrefix}*`)
  t.ok(keys.length >= 4)
  t.ok(keys.every((key) => key.startsWith(`${keyPrefix}{q}:`)), 'one hash tag: one Cluster slot')
  const [claim] = await queue.claim(T0, 10, T0 + 30_000)
  t.equal(claim?.event.body, opened.body, 'the body as queued, byte for byte')
  t.same(claim?.event, opened)
  t.equal(await queue.remove(claim as NonNullable<typeof claim>, T0), true)
  t.same(await queue.enqueue([opened], T0 + 3), ['duplicate'], 'delivered already: still a duplicate')
  t.same(await queue.stats(), { depth: 0 })
})

t.test('a decision\'s next event is due only once the one before it leaves; a review.closed waits for its review.opened', async (t) => {
  const queue = createRedisQueue({ redis, keyPrefix: prefix(), openedWaitMs: 60_000 })
  const r = record()
  const closed = closedOf(r, T0)
  t.same(await queue.enqueue([closed], T0), ['waiting'], 'no review.opened seen yet')
  const opened = reviewOpenedEvent(r, T0)
  t.same(await queue.enqueue([opened, closed], T0 + 1), ['queued', 'queued'])
  const claims = await queue.claim(T0 + 1, 10, T0 + 30_000)
  t.same(claims.map((c) => c.event.type), ['review.opened'], 'only the first of the decision is due')
  const [first] = claims as [NonNullable<typeof claims[0]>]
  t.equal(await queue.retry(first, T0 + 10_000, 1), true)
  t.same(await queue.claim(T0 + 9_999, 10, T0 + 40_000), [], 'nothing due while the first waits for its retry')
  const [again] = await queue.claim(T0 + 10_000, 10, T0 + 40_000)
  t.equal(again?.failures, 1)
  t.equal(await queue.remove(again as NonNullable<typeof again>, T0 + 10_001), true)
  const [next] = await queue.claim(T0 + 10_001, 10, T0 + 40_000)
  t.equal(next?.event.type, 'review.closed', 'then its successor')

  const orphan = record()
  const late = closedOf(orphan, T0)
  t.same(await queue.enqueue([late], T0 + 60_000), ['queued'], 'a review.closed whose review.opened never came is queued after the wait')
  t.same(await queue.enqueue([reviewOpenedEvent(orphan, T0)], T0 + 60_001), ['superseded'], 'its review.opened coming later is never sent')
})

t.test('a claim is leased: no other claim meanwhile; a stale claim settles nothing', async (t) => {
  const queue = createRedisQueue({ redis, keyPrefix: prefix() })
  await queue.enqueue([reviewOpenedEvent(record(), T0)], T0)
  const [first] = await queue.claim(T0, 10, T0 + 30_000)
  t.same(await queue.claim(T0 + 29_999, 10, T0 + 60_000), [])
  t.equal(await queue.nextDueAt(), T0 + 30_000)
  const [second] = await queue.claim(T0 + 30_000, 10, T0 + 60_000)
  t.equal(second?.event.id, first?.event.id)
  t.equal(await queue.retry(first as NonNullable<typeof first>, T0, 1), false)
  t.equal(await queue.remove(first as NonNullable<typeof first>, T0), false)
  t.equal(await queue.remove(second as NonNullable<typeof second>, T0), true)
  t.equal(await queue.nextDueAt(), undefined)
})

t.test('two instances on one Redis: every event delivered once, never by both at the same time, in order per decision', async (t) => {
  const clock = { now: T0 }
  const receiver = await startReceiver(t, { secret: SECRET, now: () => clock.now })
  const keyPrefix = prefix()
  const instance = async (name: string): Promise<{ service: MerchantWebhookService, outbox: Outbox, attempts: string[] }> => {
    const client = createRedisClient({ url: server.url })
    t.teardown(async () => await closeRedis(client))
    t.ok(await waitForRedis(client, 5000), `${name} connected`)
    const attempts: string[] = []
    const outbox = createOutbox({ log: quiet, baseBackoffMs: 1, maxBackoffMs: 2 })
    const sender = createSender({ url: receiver.url, secret: SECRET, userAgent: `riskgate/test ${name}` })
    t.teardown(sender.close)
    const service = createMerchantWebhooks({
      outbox,
      queue: createRedisQueue({ redis: client, keyPrefix }),
      send: sender.send,
      log: quiet,
      observer: { attempt: (type) => { attempts.push(type) }, retry: () => {}, drop: () => {}, lost: () => {} },
      now: () => clock.now,
      random: () => 0.5,
      concurrency: 4
    })
    t.teardown(async () => { await service.close() })
    return { service, outbox, attempts }
  }
  const a = await instance('a')
  const b = await instance('b')
  const records = Array.from({ length: 10 }, () => record())
  records.forEach((r, i) => {
    // a decision scored by one instance is closed through the other
    const [opener, closer] = i % 2 === 0 ? [a, b] : [b, a]
    closer.service.reviewClosed({ decisionId: r.decision_id, chargeId: r.charge_id, action: 'approve', actor: 'key:analyst-1', at: new Date(T0) })
    opener.service.reviewOpened(r)
  })
  // the closed events wait in their outbox until the other instance has queued their opened
  while (a.outbox.depth() + b.outbox.depth() > 0) await Promise.all([a.outbox.flush(), b.outbox.flush()])
  t.same(await a.service.queue.stats(), { depth: 20, oldestCreatedMs: T0 })
  for (;;) {
    const [x, y] = await Promise.all([a.service.dispatcher.runDue(), b.service.dispatcher.runDue()])
    if (x + y === 0) break
    clock.now += 1
  }
  t.same(await b.service.queue.stats(), { depth: 0 })
  const ids = receiver.received.map((r) => r.eventId)
  t.equal(ids.length, 20, 'twenty deliveries')
  t.equal(new Set(ids).size, 20, 'each event once')
  t.ok(receiver.received.every((r) => r.concurrent === 0), 'never two deliveries of one event at once')
  t.ok(receiver.received.every((r) => r.verified))
  t.ok(a.attempts.length > 0 && b.attempts.length > 0, `both instances delivered (${a.attempts.length} + ${b.attempts.length})`)
  for (const r of records) {
    t.same(receiver.received.filter((x) => x.event?.data.decision_id === r.decision_id).map((x) => x.event?.type), ['review.opened', 'review.closed'], { diagnostic: false })
  }
})
