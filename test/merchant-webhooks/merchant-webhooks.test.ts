import t from 'tap'
import type { Test } from 'tap'
import { createOutbox } from '../../src/outbox/outbox.js'
import type { Outbox } from '../../src/outbox/outbox.js'
import { createMemoryQueue } from '../../src/merchant-webhooks/memory-queue.js'
import { createMerchantWebhooks, MERCHANT_WEBHOOK_KIND } from '../../src/merchant-webhooks/merchant-webhooks.js'
import type { MerchantWebhookService, MerchantWebhooksObserver } from '../../src/merchant-webhooks/merchant-webhooks.js'
import type { DeliveryQueue } from '../../src/merchant-webhooks/queue.js'
import { DEFAULT_RETRY_SCHEDULE } from '../../src/merchant-webhooks/retry-schedule.js'
import { createSender } from '../../src/merchant-webhooks/sender.js'
import type { Timers } from '../../src/merchant-webhooks/timers.js'
import { startReceiver } from '../helpers/webhook-receiver.js'
import type { Receiver } from '../helpers/webhook-receiver.js'

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef'
const T0 = Date.UTC(2026, 11, 4, 10)
const quiet = { warn: () => {}, error: () => {} }

interface Observed extends MerchantWebhooksObserver {
  events: string[]
}

function observer (): Observed {
  const events: string[] = []
  return {
    events,
    attempt: (type, result) => { events.push(`${type}:${result.ok ? 'delivered' : result.reason}`) },
    retry: (type) => { events.push(`${type}:retry`) },
    drop: (type, reason) => { events.push(`${type}:drop:${reason}`) },
    lost: (type, reason) => { events.push(`${type}:lost:${reason}`) }
  }
}

interface Rig {
  service: MerchantWebhookService
  outbox: Outbox
  observed: Observed
  clock: { now: number }
  receiver: Receiver
}

let decisions = 0
function decision (): { decision_id: string, charge_id: string, score: number, amount: number, currency: string, fired: string[] } {
  decisions++
  const hex = decisions.toString(16).padStart(12, '0')
  return { decision_id: `0c4ad2e1-52f1-8a3b-9c4d-${hex}`, charge_id: `ord_${decisions}`, score: 60, amount: 129_900, currency: 'THB', fired: ['large_amount'] }
}

/** merchant webhooks in process, on a clock the test moves, delivering to a real local receiver */
async function rig (t: Test, extra: { queue?: DeliveryQueue, timers?: Timers } = {}): Promise<Rig> {
  const clock = { now: T0 }
  const receiver = await startReceiver(t, { secret: SECRET, now: () => clock.now })
  const outbox = createOutbox({ log: quiet, baseBackoffMs: 1, maxBackoffMs: 2 })
  const observed = observer()
  const sender = createSender({ url: receiver.url, secret: SECRET, userAgent: 'riskgate/test', ...(extra.timers !== undefined ? { timers: extra.timers } : {}) })
  t.teardown(sender.close)
  const service = createMerchantWebhooks({
    outbox,
    queue: extra.queue ?? createMemoryQueue(),
    send: sender.send,
    log: quiet,
    observer: observed,
    now: () => clock.now,
    random: () => 0.5
  })
  t.teardown(async () => { await service.close() })
  return { service, outbox, observed, clock, receiver }
}

t.test('an event is delivered once, signed, with its id, type and User-Agent headers', async (t) => {
  const { service, outbox, observed, receiver } = await rig(t)
  const d = decision()
  t.equal(service.reviewOpened(d), true)
  t.equal(await service.dispatcher.runDue(), 0, 'nothing reaches the queue before the outbox writes it')
  await outbox.flush()
  t.equal(await service.dispatcher.runDue(), 1)
  const [got] = receiver.received
  t.equal(got?.verified, true, 'the README snippet verifies the signature')
  t.equal(got?.headers['content-type'], 'application/json')
  t.equal(got?.headers['user-agent'], 'riskgate/test')
  t.equal(got?.eventId, got?.event?.id)
  t.match(got?.headers['riskgate-signature'], new RegExp(`^t=${Math.floor(T0 / 1000)},v1=[0-9a-f]{64}$`))
  t.same(got?.event?.data, { decision_id: d.decision_id, charge_id: d.charge_id, decision: 'review', score: 60, amount: 129_900, currency: 'THB', reasons: ['large_amount'] })
  t.same(observed.events, ['review.opened:delivered'])
  t.equal(await service.dispatcher.runDue(), 0, 'delivered: not again')
  t.same(await service.queue.stats(), { depth: 0 })
})

t.test('a 500 is retried with backoff, signed anew each time, until a 2xx', async (t) => {
  const { service, outbox, observed, clock, receiver } = await rig(t)
  receiver.respond = (_r, n) => n < 2 ? 500 : 204
  service.reviewOpened(decision())
  await outbox.flush()
  t.equal(await service.dispatcher.runDue(), 1)
  const due = await service.queue.nextDueAt()
  t.equal(due, T0 + 7_500, 'first retry after 10 s with jitter (between 5 and 10 s)')
  clock.now = T0 + 7_499
  t.equal(await service.dispatcher.runDue(), 0, 'not before it is due')
  clock.now = T0 + 7_500
  t.equal(await service.dispatcher.runDue(), 1)
  clock.now = (await service.queue.nextDueAt()) as number
  t.equal(clock.now, T0 + 7_500 + 15_000, 'then 20 s')
  t.equal(await service.dispatcher.runDue(), 1)
  t.same(observed.events, ['review.opened:status', 'review.opened:retry', 'review.opened:status', 'review.opened:retry', 'review.opened:delivered'])
  t.equal(receiver.received.length, 3)
  t.equal(new Set(receiver.received.map((r) => r.eventId)).size, 1, 'the same event each time')
  t.equal(new Set(receiver.received.map((r) => r.body)).size, 1, 'the same body')
  t.equal(new Set(receiver.received.map((r) => r.headers['riskgate-signature'])).size, 3, 'signed at each attempt\'s time')
  t.ok(receiver.received.every((r) => r.verified))
  t.same(await service.queue.stats(), { depth: 0 })
})

t.test('an attempt without an answer in time is a failure, retried', async (t) => {
  // the attempts' timeouts fire when the test says so, not after 5 s of wall-clock time
  const armed = new Map<number, { fn: () => void, ms: number }>()
  let handles = 0
  const timers: Timers = {
    setTimeout: (fn, ms) => { armed.set(++handles, { fn, ms }); return handles },
    clearTimeout: (handle) => { armed.delete(handle as number) }
  }
  const { service, outbox, observed, clock, receiver } = await rig(t, { timers })
  receiver.respond = (_r, n) => n === 0 ? 'hang' : 200
  service.reviewOpened(decision())
  await outbox.flush()
  const attempted = service.dispatcher.runDue()
  await receiver.waitFor(1)
  t.same([...armed.values()].map((timer) => timer.ms), [5_000], 'an attempt is given 5 s')
  for (const timer of armed.values()) timer.fn()
  t.equal(await attempted, 1)
  t.same(observed.events, ['review.opened:timeout', 'review.opened:retry'])
  t.equal(armed.size, 0, 'its timer is cleared')
  clock.now = (await service.queue.nextDueAt()) as number
  t.equal(await service.dispatcher.runDue(), 1)
  t.same(observed.events.slice(2), ['review.opened:delivered'])
  t.equal(receiver.received.length, 2)
  t.equal(armed.size, 0, 'an answered attempt clears its timer')
})

t.test('a network error is retried', async (t) => {
  const { service, outbox, observed, clock, receiver } = await rig(t)
  await receiver.close()
  service.reviewOpened(decision())
  await outbox.flush()
  t.equal(await service.dispatcher.runDue(), 1)
  t.same(observed.events, ['review.opened:network', 'review.opened:retry'])
  t.ok((await service.queue.nextDueAt() as number) > clock.now)
})

t.test('per decision, review.closed is never delivered before review.opened, however opened fails', async (t) => {
  const { service, outbox, clock, receiver } = await rig(t)
  const d = decision()
  const other = decision()
  // the first decision's opened fails three times; the other decision is not held up by it
  receiver.respond = (r) => r.event?.data.decision_id === d.decision_id && r.event.type === 'review.opened' && receiver.received.filter((x) => x.eventId === r.eventId).length <= 3 ? 503 : 200
  service.reviewOpened(d)
  service.reviewClosed({ decisionId: d.decision_id, chargeId: d.charge_id, action: 'approve', actor: 'key:analyst-1', at: new Date(T0) })
  service.reviewOpened(other)
  service.reviewClosed({ decisionId: other.decision_id, chargeId: other.charge_id, action: 'reject', actor: 'key:analyst-1', at: new Date(T0) })
  await outbox.flush()
  for (let round = 0; round < 10; round++) {
    await service.dispatcher.runDue()
    const next = await service.queue.nextDueAt()
    if (next === undefined) break
    clock.now = Math.max(clock.now, next)
  }
  const delivered = (id: string): string[] => receiver.received.filter((r) => r.event?.data.decision_id === id).map((r) => r.event?.type as string)
  t.same(delivered(d.decision_id), ['review.opened', 'review.opened', 'review.opened', 'review.opened', 'review.closed'])
  t.same(delivered(other.decision_id), ['review.opened', 'review.closed'])
  const firstOtherClosed = receiver.received.findIndex((r) => r.event?.data.decision_id === other.decision_id && r.event.type === 'review.closed')
  const firstOpenedOk = receiver.received.findIndex((r) => r.event?.data.decision_id === d.decision_id && r.event.type === 'review.opened' && r === receiver.received.filter((x) => x.eventId === r.eventId)[3])
  t.ok(firstOtherClosed < firstOpenedOk, 'another decision\'s events do not wait for it')
})

t.test('a review.closed handed over before its review.opened waits for it (in the outbox), then follows it', async (t) => {
  const { service, outbox, clock, receiver } = await rig(t)
  const d = decision()
  service.reviewClosed({ decisionId: d.decision_id, chargeId: d.charge_id, action: 'reject', actor: 'key:analyst-1', at: new Date(T0), note: 'address does not exist' })
  t.same(await outbox.flush(), { left: 1 }, 'held: the queue has not seen its review.opened')
  t.equal(await service.dispatcher.runDue(), 0)
  service.reviewOpened(d)
  await outbox.flush()
  t.equal(outbox.depth(), 0)
  while (await service.dispatcher.runDue() > 0) clock.now += 1
  t.same(receiver.received.map((r) => r.event?.type), ['review.opened', 'review.closed'])
  t.same(receiver.received[1]?.event?.data, {
    decision_id: d.decision_id, charge_id: d.charge_id, action: 'reject', outcome: 'review_rejected', actor: 'key:analyst-1', note: 'address does not exist', closed_at: new Date(T0).toISOString()
  })
})

t.test('a review.opened whose record is resent is queued once', async (t) => {
  const { service, outbox, receiver } = await rig(t)
  const d = decision()
  service.reviewOpened(d)
  service.reviewOpened(d)
  await outbox.flush()
  t.equal(await service.dispatcher.runDue(), 1)
  t.equal(await service.dispatcher.runDue(), 0)
  t.equal(receiver.received.length, 1)
})

t.test('an event that fails for 24 h is dropped after its last attempt, and counted', async (t) => {
  const { service, outbox, observed, clock, receiver } = await rig(t)
  receiver.respond = () => 502
  service.reviewOpened(decision())
  await outbox.flush()
  let attempts = 0
  for (;;) {
    attempts += await service.dispatcher.runDue()
    const next = await service.queue.nextDueAt()
    if (next === undefined) break
    clock.now = next
  }
  const lastAttemptAt = Number(/t=(\d+)/.exec(String(receiver.received.at(-1)?.headers['riskgate-signature']))?.[1]) * 1000
  t.ok(lastAttemptAt - T0 >= DEFAULT_RETRY_SCHEDULE.horizonMs, 'tried for at least 24 h')
  t.equal(receiver.received.length, attempts)
  t.same(observed.events.filter((e) => e.includes('drop')), ['review.opened:drop:expired'], 'dropped once, counted')
  t.equal(observed.events.filter((e) => e.endsWith(':retry')).length, attempts - 1)
  t.same(await service.queue.stats(), { depth: 0 })
})

t.test('a claim holds an event for its lease: no other claim gets it meanwhile; a stale claim settles nothing', async (t) => {
  const queue = createMemoryQueue()
  const { service, outbox } = await rig(t, { queue })
  service.reviewOpened(decision())
  await outbox.flush()
  const [first] = await queue.claim(T0, 10, T0 + 30_000)
  t.ok(first)
  t.same(await queue.claim(T0 + 29_999, 10, T0 + 60_000), [], 'leased')
  const [second] = await queue.claim(T0 + 30_000, 10, T0 + 60_000)
  t.equal(second?.event.id, first?.event.id, 'claimed again once the lease ended (its holder is presumed gone)')
  t.not(second?.token, first?.token)
  t.equal(await queue.retry(first as NonNullable<typeof first>, T0 + 1, 1), false, 'the stale claim changes nothing')
  t.equal(await queue.remove(first as NonNullable<typeof first>, T0), false)
  t.equal(await queue.remove(second as NonNullable<typeof second>, T0), true)
})

t.test('without Redis, what waits at close is lost and counted, and so is what the outbox hands over after', async (t) => {
  const { service, outbox, observed } = await rig(t)
  service.reviewOpened(decision())
  await outbox.flush()
  await service.close()
  service.reviewOpened(decision())
  await outbox.flush()
  t.same(observed.events, ['review.opened:drop:shutdown', 'review.opened:drop:shutdown'])
  t.equal(outbox.stats()[MERCHANT_WEBHOOK_KIND]?.written, 2)
})

t.test('a review.closed waits for its review.opened for 10 minutes at most; an opened later than that is not sent (counted)', async (t) => {
  const { service, outbox, observed, clock, receiver } = await rig(t)
  const d = decision()
  service.reviewClosed({ decisionId: d.decision_id, chargeId: d.charge_id, action: 'approve', actor: 'key:analyst-1', at: new Date(T0) })
  t.same(await outbox.flush(), { left: 1 })
  clock.now = T0 + 10 * 60_000
  await outbox.flush()
  t.equal(outbox.depth(), 0, 'queued once the wait is over')
  service.reviewOpened(d)
  await outbox.flush()
  while (await service.dispatcher.runDue() > 0) clock.now += 1
  t.same(receiver.received.map((r) => r.event?.type), ['review.closed'], 'the merchant is never told to hold an order whose review is closed')
  t.same(observed.events, ['review.opened:drop:superseded', 'review.closed:delivered'])
})

t.test('stop waits for the attempts in flight, then claims nothing more', async (t) => {
  const armed = new Map<number, () => void>()
  let handles = 0
  const timers: Timers = {
    setTimeout: (fn) => { armed.set(++handles, fn); return handles },
    clearTimeout: (handle) => { armed.delete(handle as number) }
  }
  const { service, outbox, observed, receiver } = await rig(t, { timers })
  receiver.respond = () => 'hang'
  service.dispatcher.start()
  service.reviewOpened(decision())
  await outbox.flush()
  await receiver.waitFor(1)
  let stopped = false
  const stopping = service.dispatcher.stop().then(() => { stopped = true })
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  t.equal(stopped, false, 'the attempt in flight is waited for')
  for (const fire of armed.values()) fire()
  await stopping
  t.same(observed.events, ['review.opened:timeout', 'review.opened:retry'], 'settled before stop resolved')
  service.reviewOpened(decision())
  await outbox.flush()
  t.equal(receiver.received.length, 1, 'nothing is sent once stopped')
  t.equal((await service.queue.stats()).depth, 2, 'both wait in the queue')
})
