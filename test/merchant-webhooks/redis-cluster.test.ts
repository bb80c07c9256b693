import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { Cluster } from 'ioredis'
import { reviewClosedEvent, reviewOpenedEvent } from '../../src/merchant-webhooks/events.js'
import { createRedisQueue } from '../../src/merchant-webhooks/redis-queue.js'
import { connectRedisCluster } from '../helpers/redis-cluster.js'

// a real local Redis Cluster of three masters: every script must touch one slot only
let client: Cluster
t.before(async () => {
  client = await connectRedisCluster(t)
})

const T0 = Date.UTC(2026, 11, 4, 10)

t.test('the delivery queue works on Redis Cluster: every operation on one slot', async (t) => {
  const queue = createRedisQueue({ redis: client, keyPrefix: `test:${randomUUID()}:` })
  const records = [1, 2, 3].map((n) => ({ decision_id: `5b0e2c1d-0a9f-8e7d-a6c5-00000000000${n}`, charge_id: `ord_${n}`, score: 60, amount: 1000 * n, currency: 'USD', fired: ['r'] }))
  const events = records.flatMap((r) => [
    reviewOpenedEvent(r, T0),
    reviewClosedEvent({ decisionId: r.decision_id, chargeId: r.charge_id, action: 'reject', actor: 'key:a', at: new Date(T0) }, T0)
  ])
  t.same(await queue.enqueue(events, T0), ['queued', 'queued', 'queued', 'queued', 'queued', 'queued'])
  t.same(await queue.enqueue(events.slice(0, 1), T0), ['duplicate'])
  t.same(await queue.stats(), { depth: 6, oldestCreatedMs: T0 })
  const first = await queue.claim(T0, 10, T0 + 30_000)
  t.same(first.map((c) => c.event.type), ['review.opened', 'review.opened', 'review.opened'], 'the head of each decision')
  t.equal(await queue.nextDueAt(), T0 + 30_000)
  for (const claim of first) t.equal(await queue.remove(claim, T0 + 1), true)
  const second = await queue.claim(T0 + 1, 10, T0 + 30_000)
  t.same(second.map((c) => c.event.type), ['review.closed', 'review.closed', 'review.closed'])
  t.equal(await queue.retry(second[0] as NonNullable<typeof second[0]>, T0 + 5_000, 1), true)
  for (const claim of second.slice(1)) t.equal(await queue.remove(claim, T0 + 2), true)
  const [retried] = await queue.claim(T0 + 5_000, 10, T0 + 30_000)
  t.equal(retried?.failures, 1)
  t.equal(await queue.remove(retried as NonNullable<typeof retried>, T0 + 5_000), true)
  t.same(await queue.stats(), { depth: 0 })
})
