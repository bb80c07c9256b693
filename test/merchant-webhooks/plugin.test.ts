import t from 'tap'
import type { Test } from 'tap'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { AppConfig } from '../../src/config/app-config.js'
import type { MerchantWebhookPluginOptions } from '../../src/merchant-webhooks/plugin.js'
import { charge, scoreAuth, testConfig, testData } from '../helpers/app.js'
import { eventually } from '../helpers/eventually.js'
import { startRedis } from '../helpers/redis.js'
import { startReceiver } from '../helpers/webhook-receiver.js'
import type { Receiver } from '../helpers/webhook-receiver.js'

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef'

/** large amounts are held for review; a card abroad adds a reason */
const RULES = [
  'version: "merchant-webhook-tests"',
  'thresholds: { review: 50, block: 80 }',
  'rules:',
  '  - id: large_amount',
  '    description: Large amount',
  '    when: amount >= 100000',
  '    action: review',
  '  - id: card_abroad',
  '    description: The card is from another country than the IP',
  '    when: ip.country != card.country',
  '    score: 15'
].join('\n')

interface Built {
  app: FastifyInstance
  logs: string[]
}

async function build (t: Test, receiver: Receiver, overrides: Partial<AppConfig> = {}, webhooks: Omit<MerchantWebhookPluginOptions, 'merchantWebhook'> = {}): Promise<Built> {
  const logs: string[] = []
  const rulesDir = t.testdir({ 'ruleset.yaml': RULES })
  const config = testConfig(testData(t), { rulesDir, merchantWebhook: { url: receiver.url, secret: SECRET }, ...overrides })
  const app = await buildApp(config, { logStream: { write: (line) => { logs.push(line) } }, merchantWebhooks: { pollMs: 20, ...webhooks } })
  t.teardown(() => app.close())
  return { app, logs }
}

async function score (app: FastifyInstance, body: Record<string, unknown>): Promise<{ decision_id: string, decision: string }> {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { ...scoreAuth, 'content-type': 'application/json' }, payload: JSON.stringify(body) })
  if (res.statusCode !== 200) throw new Error(`score answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

t.test('a review decision sends review.opened once its record lands; a close sends review.closed after it', async (t) => {
  const receiver = await startReceiver(t, { secret: SECRET })
  const { app, logs } = await build(t, receiver)
  t.equal(app.merchantWebhooks.enabled, true)
  const allowed = await score(app, charge({ amount: 500 }))
  t.equal(allowed.decision, 'allow')
  const body = charge({ amount: 150_000, card: { bin: '424242', last4: '4242', country: 'US', fingerprint: 'fp_abc', brand: 'Visa', funding: 'credit' } })
  const held = await score(app, body)
  t.equal(held.decision, 'review')
  const [opened] = await receiver.waitFor(1)
  t.equal(opened?.verified, true)
  t.same(opened?.event?.data, {
    decision_id: held.decision_id,
    charge_id: body.charge_id,
    decision: 'review',
    score: 15,
    amount: 150_000,
    currency: 'THB',
    reasons: ['large_amount', 'card_abroad']
  })
  t.match(opened?.headers['user-agent'], /^riskgate\/\d+\.\d+\.\d+/)
  t.equal(app.merchantWebhooks.reviewClosed({ decisionId: held.decision_id, chargeId: String(body.charge_id), action: 'approve', actor: 'key:analyst', at: new Date() }), true)
  const [, closed] = await receiver.waitFor(2)
  t.equal(closed?.event?.type, 'review.closed')
  t.equal(closed?.event?.data.outcome, 'review_approved')
  t.equal(closed?.verified, true)
  t.equal(receiver.received.length, 2, 'the allowed charge made no event')

  // the receiver answered; the delivery is settled (and counted) once its answer is read
  const metrics = await eventually(async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    return /riskgate_merchant_webhook_queue_depth 0/.test(text) ? text : undefined
  })
  t.match(metrics, /riskgate_merchant_webhook_deliveries_total\{type="review.opened",result="delivered"\} 1/)
  t.match(metrics, /riskgate_merchant_webhook_deliveries_total\{type="review.closed",result="delivered"\} 1/)
  t.match(metrics, /riskgate_merchant_webhook_queue_depth 0/)
  t.match(metrics, /riskgate_merchant_webhook_oldest_pending_age_seconds 0/)
  t.match(metrics, /riskgate_outbox_written_total\{kind="merchant-webhook"\} 2/)
  t.notOk(logs.join('\n').includes(SECRET), 'the secret is never logged')
  t.notOk(logs.join('\n').includes('/hooks/riskgate'), 'nor the URL (it may carry credentials): only its host')
})

t.test('without a webhook URL nothing is sent, and reviewClosed answers false', async (t) => {
  const receiver = await startReceiver(t, { secret: SECRET })
  const logs: string[] = []
  const app = await buildApp(testConfig(testData(t), { rulesDir: t.testdir({ 'ruleset.yaml': RULES }) }), { logStream: { write: (line) => { logs.push(line) } } })
  t.teardown(() => app.close())
  t.equal(app.merchantWebhooks.enabled, false)
  await score(app, charge({ amount: 150_000 }))
  await app.outbox.flush()
  t.equal(app.merchantWebhooks.reviewClosed({ decisionId: 'x', chargeId: 'y', action: 'reject', actor: 'a', at: new Date() }), false)
  t.equal(receiver.received.length, 0)
  t.notMatch((await app.inject({ method: 'GET', url: '/metrics' })).body, /riskgate_merchant_webhook_/)
})

/** a value that cannot occur in an event by chance */
const marked = (kind: string) => fc.stringMatching(/^[a-z0-9]{8,16}$/).map((s) => `zq${kind}${s}`)

t.test('property: no event body carries a raw identifier of the scored charge', async (t) => {
  const receiver = await startReceiver(t, { secret: SECRET })
  const { app } = await build(t, receiver)
  let expected = 0
  await fc.assert(fc.asyncProperty(
    fc.record({
      local: marked('em'),
      customer: marked('cu'),
      fingerprint: marked('fp'),
      name: marked('nm'),
      line1: marked('ln'),
      ip: fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'))
    }),
    async (ids) => {
      const body = charge({
        amount: 200_000,
        ip: ids.ip,
        email: `${ids.local}@example.com`,
        customer_id: ids.customer,
        card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: ids.fingerprint, brand: 'Visa', funding: 'credit' },
        billing: { name: ids.name, line1: ids.line1, city: 'Bangkok', postal_code: '10110', country: 'TH' }
      })
      const held = await score(app, body)
      if (held.decision !== 'review') return false
      app.merchantWebhooks.reviewClosed({ decisionId: held.decision_id, chargeId: String(body.charge_id), action: 'reject', actor: 'key:analyst', at: new Date() })
      expected += 2
      const received = await receiver.waitFor(expected)
      const mine = received.filter((r) => r.event?.data.decision_id === held.decision_id)
      if (mine.length !== 2) return false
      const raw = [ids.ip, ids.local, ids.customer, ids.fingerprint, ids.name, ids.line1]
      return mine.every((r) => raw.every((value) => !r.body.includes(value)))
    }
  ), { numRuns: 25 })
  t.equal(receiver.received.length, expected)
  t.ok(receiver.received.every((r) => r.verified))
})

t.test('with Redis, events pending at shutdown are delivered after a restart', async (t) => {
  const redis = await startRedis(t)
  // the merchant's endpoint is down while the first app runs; the second runs two hours later
  // (its clock is moved on), when the retries are due
  let shift = 0
  const receiver = await startReceiver(t, { secret: SECRET, now: () => Date.now() + shift })
  receiver.respond = () => 503
  const first = await build(t, receiver, { redis: { url: redis.url } })
  const a = charge({ amount: 150_000 })
  const heldA = await score(first.app, a)
  await receiver.waitFor(1)
  t.equal(receiver.received[0]?.event?.type, 'review.opened', 'tried once, refused')
  t.equal(first.app.merchantWebhooks.reviewClosed({ decisionId: heldA.decision_id, chargeId: String(a.charge_id), action: 'approve', actor: 'key:analyst', at: new Date() }), true)
  const b = charge({ amount: 160_000 })
  const heldB = await score(first.app, b)
  // closed at once: B's record, then its review.opened, are written by the shutdown's flush
  await first.app.close()
  const before = receiver.received.length
  t.ok(receiver.received.every((r) => r.verified))

  receiver.respond = () => 200
  shift = 2 * 3_600_000
  await build(t, receiver, { redis: { url: redis.url } }, { now: () => Date.now() + shift })
  const all = await receiver.waitFor(before + 3)
  const after = all.slice(before)
  t.ok(after.every((r) => r.verified))
  t.same(after.filter((r) => r.event?.data.decision_id === heldA.decision_id).map((r) => r.event?.type), ['review.opened', 'review.closed'], 'in order')
  t.same(after.filter((r) => r.event?.data.decision_id === heldB.decision_id).map((r) => r.event?.type), ['review.opened'])
  t.equal(new Set(after.map((r) => r.eventId)).size, 3)
  const firstIds = new Set(receiver.received.slice(0, before).map((r) => r.eventId))
  t.ok(after.filter((r) => r.event?.data.decision_id === heldA.decision_id && r.event.type === 'review.opened').every((r) => firstIds.has(r.eventId)), 'the same event id as the attempt before the restart')
})
