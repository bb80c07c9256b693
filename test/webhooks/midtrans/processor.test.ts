import t from 'tap'
import { createEventDedupe } from '../../../src/webhooks/event-dedupe.js'
import type { MidtransNotification } from '../../../src/webhooks/midtrans/notification.js'
import { createMidtransNotificationProcessor, MIDTRANS_NOTIFICATION_KIND } from '../../../src/webhooks/midtrans/processor.js'
import { entry } from '../../helpers/decision-log-suite.js'
import { checkFullOutboxReleases, checkHeldThenUnmatched, HASH_KEY, memoryLog, outbox, quiet, T0 } from '../../helpers/gateway-processor.js'

function notification (orderId: string, status: string, extra: Partial<MidtransNotification> = {}): MidtransNotification {
  const transactionId = `tx-${orderId}`
  return { id: `${transactionId}:${status}:200`, orderId, transactionId, transactionStatus: status, statusCode: '200', grossAmount: '105000.00', fraudStatus: 'accept', ...extra }
}

t.test('the store unavailable: the notification is retried through the outbox until applied, its claim kept', async (t) => {
  const log = memoryLog()
  const recorded = entry(log.keys, T0, { chargeId: 'ord-retry' })
  await log.append([recorded])
  const dedupe = createEventDedupe({ redis: null, hashKey: HASH_KEY, source: 'midtrans' })
  let broken = true
  let failures = 0
  const box = outbox()
  const processor = createMidtransNotificationProcessor({
    store: {
      keys: log.keys,
      lookup: log.lookup,
      findByChargeId: log.findByChargeId,
      linkCharge: log.linkCharge,
      setOutcome: async (id, write) => {
        if (broken) {
          if (++failures === 2) broken = false
          throw new Error('Connection is closed.')
        }
        return await log.setOutcome(id, write)
      }
    },
    dedupe,
    outbox: box,
    log: quiet
  })
  const refund = notification('ord-retry', 'refund')
  t.equal(await dedupe.claim(refund.id), true)
  processor.submit(refund)
  // a flush waits for the retries of a failed write
  await box.flush()
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.label, 'refund')
  t.equal((await log.get(recorded.key.decisionId))?.outcome?.source, 'midtrans')
  t.same(processor.stats(), { applied: 1, kept: 0, unmatched: 0, ignored: 0, failed: 0 })
  t.ok((box.stats()[MIDTRANS_NOTIFICATION_KIND]?.retries ?? 0) >= 1, 'the failed write was retried')
  t.equal(await dedupe.claim(refund.id), false, 'still claimed: a resend is a duplicate')
})

const midtrans = { create: createMidtransNotificationProcessor, kind: MIDTRANS_NOTIFICATION_KIND, source: 'midtrans' } as const

t.test('a notification the outbox could not take releases its claim, so Midtrans\' resend is applied', async (t) => {
  await checkFullOutboxReleases(t, midtrans, notification('ord-full', 'settlement'))
})

t.test('a notification whose decision never lands is counted unmatched past the hold limit', async (t) => {
  await checkHeldThenUnmatched(t, midtrans, notification('ord-never-scored', 'chargeback'), 'midtrans notification: no recorded decision for this order')
})

t.test('the decision is found by riskgate_decision_id, riskgate_charge_id, then the order id; statuses without an outcome look nothing up', async (t) => {
  const log = memoryLog()
  const [a, b, c] = [entry(log.keys, T0, { chargeId: 'ch-a' }), entry(log.keys, T0 + 1, { chargeId: 'ch-b' }), entry(log.keys, T0 + 2, { chargeId: 'ord-c' })]
  await log.append([a, b, c])
  let lookups = 0
  const processor = createMidtransNotificationProcessor({
    store: { ...log, keys: log.keys, findByChargeId: async (id) => { lookups++; return await log.findByChargeId(id) } },
    dedupe: { release: async () => {} },
    outbox: outbox(),
    log: quiet
  })
  t.equal(await processor.process(notification('ord-a', 'settlement', { decisionId: a.key.decisionId, chargeId: 'ch-b' })), 'applied')
  t.equal(await processor.process(notification('ord-b', 'deny', { chargeId: 'ch-b', fraudStatus: 'deny' })), 'applied')
  t.equal(await processor.process(notification('ord-c', 'partial_chargeback')), 'applied')
  t.equal((await log.get(a.key.decisionId))?.outcome?.label, 'legit')
  t.equal((await log.get(b.key.decisionId))?.outcome?.label, 'gateway_denied')
  t.equal((await log.get(c.key.decisionId))?.outcome?.label, 'chargeback')
  t.equal(await log.findByChargeId('ord-a'), a.key.decisionId, 'the order id is linked once found through metadata')
  t.equal(lookups, 1, 'only the notification without metadata looked up its order id')
  t.equal(await processor.process(notification('ord-a', 'expire')), 'ignored')
  t.equal(lookups, 1)

  // a pending notification carries no outcome, but its metadata links the order id
  const d = entry(log.keys, T0 + 3, { chargeId: 'ch-d' })
  await log.append([d])
  t.equal(await processor.process(notification('ord-d', 'pending', { chargeId: 'ch-d' })), 'ignored')
  t.equal(await log.findByChargeId('ord-d'), d.key.decisionId, 'linked by a notification without an outcome')
  t.equal(await processor.process(notification('ord-d', 'settlement')), 'applied')
  t.equal((await log.get(d.key.decisionId))?.outcome?.label, 'legit')
  t.equal(await processor.process(notification('ord-unknown', 'pending', { chargeId: 'ch-unknown' })), 'ignored', 'no decision and no outcome: nothing to hold')
})
