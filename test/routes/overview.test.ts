import t from 'tap'
import { buildTestApp, scoreAuth } from '../helpers/app.js'
import { BLOCKED_EMAIL, closeReview, get, post, score, uniqueCharge } from '../helpers/analyst.js'

interface Bucket {
  start: string
  decisions: { allow: number, review: number, block: number }
  degraded: number
  outcomes: Record<string, number>
}
interface Overview {
  from: string
  to: string
  bucket: 'hour' | 'day'
  buckets: Bucket[]
  top_rules: Array<{ rule: string, count: number }>
}

const HOUR = 3_600_000
const DAY = 24 * HOUR

function total (buckets: Bucket[]): Bucket {
  const sum: Bucket = { start: '', decisions: { allow: 0, review: 0, block: 0 }, degraded: 0, outcomes: {} }
  for (const b of buckets) {
    sum.decisions.allow += b.decisions.allow
    sum.decisions.review += b.decisions.review
    sum.decisions.block += b.decisions.block
    sum.degraded += b.degraded
    for (const [label, n] of Object.entries(b.outcomes)) sum.outcomes[label] = (sum.outcomes[label] ?? 0) + n
  }
  return sum
}

/** every bucket of the answer, each `size` after the one before, from `from` to `to` */
function contiguous (o: Overview, size: number): boolean {
  let at = Date.parse(o.from)
  for (const b of o.buckets) {
    if (Date.parse(b.start) !== at) return false
    at += size
  }
  return at === Date.parse(o.to)
}

t.test('the overview counts decisions by kind and outcomes reported, per hour (the last 24 by default) or day, and the top rules', async (t) => {
  const { app } = await buildTestApp(t)
  const before = Date.now()
  const allowed = [await score(app, uniqueCharge('allow')), await score(app, uniqueCharge('allow'))]
  const review = await score(app, uniqueCharge('review'))
  await score(app, uniqueCharge('allow', { email: BLOCKED_EMAIL }))
  await app.outbox.flush()
  t.equal((await post(app, `/v1/decisions/${allowed[0]?.decision_id}/outcome`, { label: 'fraud' }, scoreAuth)).statusCode, 200)
  t.equal((await closeReview(app, review.decision_id, { action: 'approve' })).statusCode, 200)
  const after = Date.now()

  const res = await get(app, '/v1/overview')
  t.equal(res.statusCode, 200)
  const o = res.json<Overview>()
  t.same(Object.keys(o).sort(), ['bucket', 'buckets', 'from', 'to', 'top_rules'])
  t.equal(o.bucket, 'hour')
  t.equal(o.buckets.length, 24, 'the last 24 hours')
  t.ok(contiguous(o, HOUR), 'every hour, oldest first')
  t.ok(Date.parse(o.to) > after && Date.parse(o.to) - HOUR <= before + HOUR, 'up to the end of the current hour')
  const sum = total(o.buckets)
  t.same(sum.decisions, { allow: 2, review: 1, block: 1 })
  t.equal(sum.degraded, 0)
  t.same(sum.outcomes, { fraud: 1, review_approved: 1 })
  const rules = Object.fromEntries(o.top_rules.map((r) => [r.rule, r.count]))
  t.equal(rules.consistent_countries, 3, 'the allowed charges and the blocked one')
  t.equal(rules.blocked_email, 1)
  t.equal(rules.hosting_ip, 1)
  t.ok(o.top_rules.every((r, i) => i === 0 || (o.top_rules[i - 1] as { count: number }).count >= r.count), 'most first')

  const days = (await get(app, '/v1/overview?bucket=day')).json<Overview>()
  t.equal(days.bucket, 'day')
  t.equal(days.buckets.length, 30, 'the last 30 days')
  t.ok(contiguous(days, DAY))
  t.equal(Date.parse(days.from) % DAY, 0, 'whole UTC days')
  t.same(total(days.buckets).decisions, { allow: 2, review: 1, block: 1 })
  t.same(total(days.buckets).outcomes, { fraud: 1, review_approved: 1 })

  const past = (await get(app, '/v1/overview?from=2026-01-01&to=2026-01-02T00:30:00Z')).json<Overview>()
  t.equal(past.from, '2026-01-01T00:00:00.000Z')
  t.equal(past.to, '2026-01-02T01:00:00.000Z', 'to rounded up to its hour')
  t.equal(past.buckets.length, 25)
  t.same(total(past.buckets).decisions, { allow: 0, review: 0, block: 0 }, 'nothing then')
  t.same(past.top_rules, [])
  t.same(past.buckets[0], { start: '2026-01-01T00:00:00.000Z', decisions: { allow: 0, review: 0, block: 0 }, degraded: 0, outcomes: {} })
})

t.test('overview refusals: bad bounds, an empty or too long range, an unknown bucket; analyst scope', async (t) => {
  const { app } = await buildTestApp(t)
  for (const bad of ['from=yesterday', 'to=soon', 'from=2026-01-02&to=2026-01-01', 'from=2026-01-01T10:00:00Z&to=2026-01-01T10:00:00Z', 'from=2026-01-01&to=2026-03-01', 'bucket=day&from=2020-01-01&to=2026-01-01', 'bucket=week', 'step=hour']) {
    const res = await get(app, `/v1/overview?${bad}`)
    t.equal(res.statusCode, 400, bad)
    t.match(res.json().error.code, /^(validation_failed|unknown_field)$/)
  }
  t.equal((await get(app, '/v1/overview?from=2026-01-01&to=2026-01-31T23:00:00Z')).statusCode, 200, '31 days of hours at most')
  t.equal((await get(app, '/v1/overview', scoreAuth)).statusCode, 403)
  t.equal((await get(app, '/v1/overview', {})).statusCode, 401)
})
