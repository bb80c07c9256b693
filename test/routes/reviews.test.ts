import t from 'tap'
import type { Test } from 'tap'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { authPlugin } from '../../src/plugins/auth.js'
import { errorHandlerPlugin } from '../../src/plugins/error-handler.js'
import { reviewRoutes } from '../../src/routes/reviews.js'
import type { ReviewClosedEvent } from '../../src/routes/reviews.js'
import { createCursors } from '../../src/search/cursor.js'
import { buildTestApp, rootDir, scoreAuth } from '../helpers/app.js'
import { allPages, BLOCKED_EMAIL, closeReview, get, idSet, inTimeOrder, score, uniqueCharge } from '../helpers/analyst.js'
import type { Scored } from '../helpers/analyst.js'
import { entry, keysOf } from '../helpers/decision-log-suite.js'
import path from 'node:path'

interface ReviewSummary {
  decision_id: string
  charge_id: string
  at: string
  amount: number
  currency: string
  country: string | null
  card_country: string | null
  decision: string
  score: number
  reasons: Array<{ rule: string, description: string }>
  degraded: string[]
  outcome?: { label: string, source: string, actor?: string, at: string, note?: string }
  review: { status: string, age_seconds: number, closed?: { action: string, actor: string, at: string, note?: string } }
}

t.test('a review decision opens a review: the queue lists open reviews oldest first, with their summaries', async (t) => {
  const { app } = await buildTestApp(t)
  const reviews: Scored[] = []
  for (let i = 0; i < 3; i++) reviews.push(await score(app, uniqueCharge('review', { amount: 1000 + i })))
  await score(app, uniqueCharge('allow'))
  await score(app, uniqueCharge('allow', { email: BLOCKED_EMAIL }))
  t.same(reviews.map((r) => r.decision), ['review', 'review', 'review'])
  await app.outbox.flush()

  const res = await get(app, '/v1/reviews')
  t.equal(res.statusCode, 200)
  const body = res.json<{ reviews: ReviewSummary[], next_cursor?: string }>()
  t.same(idSet(body.reviews), idSet(reviews.map((r) => r.decision_id)), 'the review decisions only')
  t.ok(inTimeOrder(body.reviews, 'oldest'), 'oldest first')
  t.equal(body.next_cursor, undefined, 'nothing more')
  const live = (await get(app, '/v1/rules')).json<{ rules: Array<{ id: string, description: string }> }>().rules
  const first = body.reviews.find((r) => r.decision_id === reviews[0]?.decision_id) as ReviewSummary
  t.same(Object.keys(first).sort(), ['amount', 'at', 'card_country', 'charge_id', 'country', 'currency', 'decision', 'decision_id', 'degraded', 'reasons', 'review', 'score'])
  t.equal(first.charge_id, reviews[0]?.charge_id)
  t.equal(first.amount, 1000)
  t.equal(first.currency, 'THB')
  t.equal(first.country, 'US', "the IP's country")
  t.equal(first.card_country, 'AU', "the card's country")
  t.equal(first.decision, 'review')
  t.equal(first.score, reviews[0]?.score)
  t.same(first.degraded, [])
  t.same(first.reasons, (reviews[0]?.reasons ?? []).map((r) => ({ rule: r.rule, description: live.find((l) => l.id === r.rule)?.description })))
  t.ok(first.reasons.length > 0)
  t.equal(first.review.status, 'open')
  t.ok(Number.isInteger(first.review.age_seconds) && first.review.age_seconds >= 0)
  t.equal(first.review.closed, undefined)
  t.ok(Date.parse(first.at) > 0)

  const closed = await get(app, '/v1/reviews?status=closed')
  t.same(closed.json(), { reviews: [] }, 'none closed yet')
})

t.test('approve: the close is recorded as an outcome with the actor; the review leaves the open queue; the decision shows it', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const scored = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  const res = await closeReview(app, scored.decision_id, { action: 'approve', note: 'called the shopper, card 4111 1111 1111 1111 is theirs' })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['decision_id', 'outcome', 'review'])
  t.equal(body.decision_id, scored.decision_id)
  t.equal(body.outcome.label, 'review_approved')
  t.equal(body.outcome.source, 'review')
  t.equal(body.outcome.actor, 'key:analyst')
  t.ok(Date.parse(body.outcome.at) > 0)
  t.match(body.outcome.note, /^called the shopper, card .+ is theirs$/)
  t.notOk(res.body.includes('4111'), 'the note is scrubbed of card numbers')
  t.equal(body.review.status, 'closed')
  t.same(body.review.closed, { action: 'approve', actor: 'key:analyst', at: body.outcome.at, note: body.outcome.note })
  const record = (await get(app, `/v1/decisions/${scored.decision_id}`)).json()
  t.equal(body.review.age_seconds, Math.floor((Date.parse(body.outcome.at) - Date.parse(record.at)) / 1000), 'aged from the decision to the close')

  t.same((await get(app, '/v1/reviews')).json(), { reviews: [] }, 'no longer open')
  const closed = (await get(app, '/v1/reviews?status=closed')).json<{ reviews: ReviewSummary[] }>().reviews
  t.same(closed.map((r) => r.decision_id), [scored.decision_id])
  t.same(closed[0]?.review, body.review)
  t.same(closed[0]?.outcome, body.outcome, 'the summary carries the latest outcome')

  t.same(record.outcome, body.outcome)
  t.same(record.outcomes, [body.outcome], 'the history')
  t.same(record.review, body.review)
  t.notOk(logs.join('').includes('4111'), 'the note never reaches the logs')
})

t.test('reject: recorded as review_rejected', async (t) => {
  const { app } = await buildTestApp(t)
  const scored = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  const res = await closeReview(app, scored.decision_id, { action: 'reject' })
  t.equal(res.statusCode, 200)
  t.equal(res.json().outcome.label, 'review_rejected')
  t.equal(res.json().outcome.note, undefined)
  t.same(res.json().review.closed, { action: 'reject', actor: 'key:analyst', at: res.json().outcome.at })
})

t.test('refusals: closed already 409 review_closed (the first close stands), not a review 409, unknown 404, bad bodies 400', async (t) => {
  const { app } = await buildTestApp(t)
  const review = await score(app, uniqueCharge('review'))
  const allowed = await score(app, uniqueCharge('allow'))
  const blocked = await score(app, uniqueCharge('allow', { email: BLOCKED_EMAIL }))
  await app.outbox.flush()
  const first = await closeReview(app, review.decision_id, { action: 'reject', note: 'stolen card' })
  t.equal(first.statusCode, 200)

  const again = await closeReview(app, review.decision_id, { action: 'approve' })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'review_closed')
  t.match(again.json().error.message, /reject by key:analyst at /, 'names how it was closed')
  const record = (await get(app, `/v1/decisions/${review.decision_id}`)).json()
  t.equal(record.outcome.label, 'review_rejected', 'the first close stands')
  t.equal(record.outcomes.length, 1, 'the refused close is not recorded')

  for (const other of [allowed, blocked]) {
    const res = await closeReview(app, other.decision_id, { action: 'approve' })
    t.equal(res.statusCode, 409, other.decision)
    t.equal(res.json().error.code, 'not_a_review')
    t.equal((await get(app, `/v1/decisions/${other.decision_id}`)).json().outcome, undefined, 'nothing recorded')
  }

  const unknown = await closeReview(app, '00000000-0000-4000-8000-000000000000', { action: 'approve' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, 'decision_not_found')
  const neverScored = await closeReview(app, app.decisionLog.store.keys.ofCharge('ch_never_scored').decisionId, { action: 'approve' })
  t.equal(neverScored.statusCode, 404)
  t.equal(neverScored.json().error.code, 'decision_not_found')

  const other = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  for (const [body, code] of [
    [{ action: 'maybe' }, 'validation_failed'],
    [{}, 'validation_failed'],
    [{ action: 'approve', note: 'x'.repeat(501) }, 'validation_failed'],
    [{ action: 'approve', label: 'fraud' }, 'unknown_field']
  ] as const) {
    const res = await closeReview(app, other.decision_id, body)
    t.equal(res.statusCode, 400, JSON.stringify(body).slice(0, 40))
    t.equal(res.json().error.code, code)
  }
  t.equal((await get(app, '/v1/reviews')).json().reviews.length, 1, 'the review is still open')
})

t.test('two analysts closing one review at once: one close is stored, the other answers 409', async (t) => {
  const { app } = await buildTestApp(t)
  const scored = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  const [a, b] = await Promise.all([
    closeReview(app, scored.decision_id, { action: 'approve' }),
    closeReview(app, scored.decision_id, { action: 'reject' })
  ])
  t.same([a.statusCode, b.statusCode].sort(), [200, 409])
  const winner = a.statusCode === 200 ? a.json() : b.json()
  const record = (await get(app, `/v1/decisions/${scored.decision_id}`)).json()
  t.same(record.outcomes, [winner.outcome], 'one close in the history')
})

t.test('the queue pages through cursors to the end; a cursor is refused with other filters or altered', async (t) => {
  const { app } = await buildTestApp(t)
  const ids: string[] = []
  for (let i = 0; i < 7; i++) ids.push((await score(app, uniqueCharge('review'))).decision_id)
  await app.outbox.flush()
  const { items, pages } = await allPages<ReviewSummary>(app, '/v1/reviews?limit=3', 'reviews')
  t.same(items.map((r) => r.decision_id).sort(), idSet(ids), 'every open review once')
  t.ok(inTimeOrder(items, 'oldest'), 'oldest first')
  t.ok(pages >= 3, 'at most 3 a page')
  const firstPage = (await get(app, '/v1/reviews?limit=3')).json<{ reviews: ReviewSummary[], next_cursor: string }>()
  t.equal(firstPage.reviews.length, 3)
  t.type(firstPage.next_cursor, 'string')

  const withOther = await get(app, `/v1/reviews?status=closed&cursor=${encodeURIComponent(firstPage.next_cursor)}`)
  t.equal(withOther.statusCode, 400)
  t.equal(withOther.json().error.code, 'invalid_cursor')
  const dot = firstPage.next_cursor.indexOf('.')
  const altered = `${firstPage.next_cursor.slice(0, dot)}A${firstPage.next_cursor.slice(dot)}`
  t.equal((await get(app, `/v1/reviews?cursor=${encodeURIComponent(altered)}`)).json().error.code, 'invalid_cursor')
  t.equal((await get(app, '/v1/reviews?cursor=garbage')).json().error.code, 'invalid_cursor')
  const samePage = await get(app, `/v1/reviews?limit=5&cursor=${encodeURIComponent(firstPage.next_cursor)}`)
  t.equal(samePage.statusCode, 200, 'another limit is the same query')
  const rest = samePage.json().reviews as ReviewSummary[]
  t.ok(rest.length > 0 && rest.every((r) => !firstPage.reviews.some((f) => f.decision_id === r.decision_id)), 'continues after the first page')

  for (const bad of ['limit=0', 'limit=101', 'limit=x', 'status=pending', 'sort=age']) {
    const res = await get(app, `/v1/reviews?${bad}`)
    t.equal(res.statusCode, 400, bad)
  }
})

t.test('scopes: a score key may not read or close reviews; without a key 401', async (t) => {
  const { app } = await buildTestApp(t)
  const scored = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  t.equal((await get(app, '/v1/reviews', scoreAuth)).statusCode, 403)
  const refused = await closeReview(app, scored.decision_id, { action: 'approve' }, scoreAuth)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().error.code, 'forbidden')
  t.equal((await get(app, '/v1/reviews', {})).statusCode, 401)
  t.equal((await closeReview(app, scored.decision_id, { action: 'approve' }, {})).statusCode, 401)
  t.equal((await get(app, '/v1/reviews')).json().reviews.length, 1, 'still open')
})

const ANALYST = 'test-secret-review-routes-analyst-0123'

/**
 * The review routes alone, on an in-process log, with a clock of the test's own: closes at
 * chosen times, and the review.closed hook.
 */
async function reviewApp (t: Test, events: ReviewClosedEvent[], throwing = false): Promise<{ app: FastifyInstance, clock: { ms: number }, store: ReturnType<typeof createMemoryDecisionLog> }> {
  const clock = { ms: Date.UTC(2026, 10, 21, 10) }
  const keys = keysOf(1)
  const store = createMemoryDecisionLog({ keys, now: () => clock.ms })
  const app = Fastify({ logger: { level: 'silent' } }).withTypeProvider<TypeBoxTypeProvider>()
  t.teardown(() => app.close())
  await app.register(errorHandlerPlugin)
  await app.register(authPlugin, { apiKeys: parseApiKeys(`reviewer:analyst:${sha256(ANALYST).toString('hex')}`) })
  const rules = { current: await loadRuleSet(path.join(rootDir, 'rules')) }
  await app.register(reviewRoutes, {
    store,
    rules,
    cursors: createCursors('test-hash-key-review-routes-0123456789'),
    waitingRecord: () => undefined,
    onReviewClosed: (event) => {
      events.push(event)
      if (throwing) throw new Error('the webhook queue is full')
    },
    now: () => clock.ms
  })
  await app.ready()
  return { app, clock, store }
}

const reviewer = { authorization: `Bearer ${ANALYST}` }

t.test('closed reviews are listed most recently closed first; the hook hears each stored close once', async (t) => {
  const events: ReviewClosedEvent[] = []
  const { app, clock, store } = await reviewApp(t, events)
  const entries = [0, 1, 2].map((i) => entry(store.keys, clock.ms + i * 1000))
  t.same(await store.append(entries), ['written', 'written', 'written'])
  const [a, b, c] = entries.map((e) => e.key.decisionId) as [string, string, string]
  clock.ms += 60_000
  t.equal((await closeReview(app, c, { action: 'approve' }, reviewer)).statusCode, 200)
  clock.ms += 60_000
  t.equal((await closeReview(app, a, { action: 'reject', note: 'chargeback risk, card 4111111111111111' }, reviewer)).statusCode, 200)
  clock.ms += 60_000
  t.equal((await closeReview(app, b, { action: 'approve' }, reviewer)).statusCode, 200)
  t.equal((await closeReview(app, b, { action: 'reject' }, reviewer)).statusCode, 409)

  const closed = (await get(app, '/v1/reviews?status=closed', reviewer)).json<{ reviews: ReviewSummary[] }>().reviews
  t.same(closed.map((r) => r.decision_id), [b, a, c], 'most recently closed first')
  t.same(closed.map((r) => r.review.age_seconds), [179, 120, 58], 'from the decision to the close')
  t.same(closed.map((r) => r.reasons), closed.map(() => [{ rule: 'r1', description: '' }, { rule: 'r2', description: '' }]), 'rules no longer live: empty descriptions')
  t.same(events, [
    { decisionId: c, chargeId: (await store.get(c))?.charge_id, action: 'approve', actor: 'key:reviewer', at: new Date(Date.UTC(2026, 10, 21, 10, 1)).toISOString() },
    { decisionId: a, chargeId: (await store.get(a))?.charge_id, action: 'reject', actor: 'key:reviewer', at: new Date(Date.UTC(2026, 10, 21, 10, 2)).toISOString(), note: 'chargeback risk, card [card]' },
    { decisionId: b, chargeId: (await store.get(b))?.charge_id, action: 'approve', actor: 'key:reviewer', at: new Date(Date.UTC(2026, 10, 21, 10, 3)).toISOString() }
  ], 'one event per stored close, none for the refused one; the note scrubbed of card numbers')

  const open = await get(app, '/v1/reviews', reviewer)
  t.same(open.json(), { reviews: [] })
})

t.test('open reviews are aged by the clock; a hook that throws does not undo the close', async (t) => {
  const events: ReviewClosedEvent[] = []
  const { app, clock, store } = await reviewApp(t, events, true)
  const e = entry(store.keys, clock.ms)
  await store.append([e])
  clock.ms += 3_600_000
  const open = (await get(app, '/v1/reviews', reviewer)).json<{ reviews: ReviewSummary[] }>().reviews
  t.same(open.map((r) => r.review), [{ status: 'open', age_seconds: 3600 }])
  const res = await closeReview(app, e.key.decisionId, { action: 'approve' }, reviewer)
  t.equal(res.statusCode, 200)
  t.equal(events.length, 1)
  t.equal((await store.get(e.key.decisionId))?.outcome?.label, 'review_approved', 'stored')
})
