import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, scoreAuth } from '../helpers/app.js'
import { allPages, BLOCKED_EMAIL, closeReview, get, idSet, inTimeOrder, post, score, uniqueCharge } from '../helpers/analyst.js'
import { externalRedisUrl, startRedis } from '../helpers/redis.js'
import type { RedisServer } from '../helpers/redis.js'

// the app writes under the default key prefix and these tests count what it holds: a Redis of their own
const skip = externalRedisUrl() !== undefined && 'needs a redis-server of its own (the app writes under the default key prefix)'

interface Summary { decision_id: string, at: string, decision: string, outcome?: { label: string } }

async function redisApp (t: Test, redis: RedisServer): Promise<FastifyInstance> {
  const { app } = await buildTestApp(t, { redis: { url: redis.url } })
  t.ok(app.redis !== null && app.decisionLog.store.backend === 'redis', 'on Redis')
  return app
}

t.test('Redis: the review queue, a close, a second close, search and the overview, across partitions', { skip }, async (t) => {
  const redis = await startRedis(t)
  const app = await redisApp(t, redis)
  const reviews: string[] = []
  for (let i = 0; i < 12; i++) reviews.push((await score(app, uniqueCharge('review'))).decision_id)
  const allowed = await score(app, uniqueCharge('allow', { email: 'Redis.Search@Example.net' }))
  const blocked = await score(app, uniqueCharge('allow', { email: BLOCKED_EMAIL }))
  await app.outbox.flush()

  const open = await allPages<Summary>(app, '/v1/reviews?limit=5', 'reviews')
  t.same(idSet(open.items), idSet(reviews), 'every open review once, from every partition')
  t.ok(inTimeOrder(open.items, 'oldest'), 'oldest first')

  const first = reviews[0] as string
  const closed = await closeReview(app, first, { action: 'reject', note: 'card testing pattern' })
  t.equal(closed.statusCode, 200)
  t.equal(closed.json().outcome.label, 'review_rejected')
  t.equal(closed.json().outcome.actor, 'key:analyst')
  const again = await closeReview(app, first, { action: 'approve' })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'review_closed')
  t.equal((await closeReview(app, allowed.decision_id, { action: 'approve' })).json().error.code, 'not_a_review')
  t.equal((await closeReview(app, app.decisionLog.store.keys.ofCharge('ch_never_scored').decisionId, { action: 'approve' })).statusCode, 404)
  const [a, b] = await Promise.all([
    closeReview(app, reviews[1] as string, { action: 'approve' }),
    closeReview(app, reviews[1] as string, { action: 'reject' })
  ])
  t.same([a.statusCode, b.statusCode].sort(), [200, 409], 'two closes at once: one stands')

  const stillOpen = await allPages<Summary>(app, '/v1/reviews?limit=4', 'reviews')
  t.same(idSet(stillOpen.items), idSet(reviews.slice(2)))
  const closedList = (await get(app, '/v1/reviews?status=closed')).json<{ reviews: Array<Summary & { review: { status: string } }> }>().reviews
  t.same(idSet(closedList), idSet(reviews.slice(0, 2)))
  t.ok(closedList.every((r) => r.review.status === 'closed'))
  const detail = (await get(app, `/v1/decisions/${first}`)).json()
  t.same(detail.outcomes.map((o: { label: string }) => o.label), ['review_rejected'])
  t.equal(detail.review.closed.note, 'card testing pattern')

  const all = await allPages<Summary>(app, '/v1/decisions?limit=3', 'decisions')
  t.same(idSet(all.items), idSet([...reviews, allowed.decision_id, blocked.decision_id]))
  t.ok(inTimeOrder(all.items, 'newest'), 'newest first, merged from the partitions')
  t.same(idSet((await get(app, '/v1/decisions?email=redis.search%40example.net')).json().decisions), [allowed.decision_id], 'by email, normalized')
  t.same(idSet((await get(app, '/v1/decisions?decision=block')).json().decisions), [blocked.decision_id])
  t.same(idSet((await get(app, '/v1/decisions?outcome=review_rejected')).json().decisions), [first])
  t.same(idSet((await get(app, '/v1/decisions?rule=blocked_email')).json().decisions), [blocked.decision_id])
  const page = (await get(app, '/v1/decisions?limit=2&decision=review')).json<{ next_cursor: string }>()
  const refused = await get(app, `/v1/decisions?limit=2&decision=allow&cursor=${encodeURIComponent(page.next_cursor)}`)
  t.equal(refused.json().error.code, 'invalid_cursor')
  t.equal((await post(app, `/v1/decisions/${allowed.decision_id}/outcome`, { label: 'chargeback' }, scoreAuth)).statusCode, 200)
  t.same(idSet((await get(app, '/v1/decisions?outcome=chargeback')).json().decisions), [allowed.decision_id])

  const overview = (await get(app, '/v1/overview')).json<{ buckets: Array<{ decisions: Record<string, number>, outcomes: Record<string, number> }>, top_rules: Array<{ rule: string, count: number }> }>()
  const sum = { allow: 0, review: 0, block: 0 }
  const outcomes: Record<string, number> = {}
  for (const bucket of overview.buckets) {
    for (const k of ['allow', 'review', 'block'] as const) sum[k] += bucket.decisions[k] ?? 0
    for (const [label, n] of Object.entries(bucket.outcomes)) outcomes[label] = (outcomes[label] ?? 0) + n
  }
  t.same(sum, { allow: 1, review: 12, block: 1 })
  // the concurrent closes of reviews[1]: whichever stood
  const second = a.statusCode === 200 ? a.json().outcome.label as string : b.json().outcome.label as string
  t.same(outcomes, second === 'review_approved'
    ? { review_rejected: 1, review_approved: 1, chargeback: 1 }
    : { review_rejected: 2, chargeback: 1 })
  t.equal(overview.top_rules.find((r) => r.rule === 'hosting_ip')?.count, 12)
})

t.test('Redis, two instances: a review closed on one is closed for the other', { skip }, async (t) => {
  const redis = await startRedis(t)
  const one = await redisApp(t, redis)
  const two = await redisApp(t, redis)
  const scored = await score(one, uniqueCharge('review'))
  await one.outbox.flush()
  t.same(idSet((await get(two, '/v1/reviews')).json().reviews), [scored.decision_id], 'the other instance lists it')
  t.equal((await closeReview(two, scored.decision_id, { action: 'approve' })).statusCode, 200)
  const late = await closeReview(one, scored.decision_id, { action: 'reject' })
  t.equal(late.statusCode, 409)
  t.equal(late.json().error.code, 'review_closed')
  t.same((await get(one, '/v1/reviews')).json(), { reviews: [] })
})

t.test('Redis unreachable: the queue, a close, a search and the overview answer 503, nothing is queued', { skip }, async (t) => {
  const redis = await startRedis(t)
  const app = await redisApp(t, redis)
  const scored = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  await redis.kill()
  for (const res of [
    await get(app, '/v1/reviews'),
    await closeReview(app, scored.decision_id, { action: 'approve' }),
    await get(app, '/v1/decisions?decision=review'),
    await get(app, `/v1/decisions/by-charge/${encodeURIComponent(scored.charge_id)}`),
    await get(app, '/v1/overview')
  ]) {
    t.equal(res.statusCode, 503)
    t.equal(res.json().error.code, 'service_unavailable')
    t.notOk(res.body.includes('ECONNREFUSED') || res.body.includes('127.0.0.1'), 'no detail of the fault')
  }
  t.equal(app.outbox.depth(), 0, 'a close is never queued')
})
