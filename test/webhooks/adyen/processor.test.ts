import t from 'tap'
import type { AdyenNotification } from '../../../src/webhooks/adyen/notification.js'
import { ADYEN_NOTIFICATION_KIND, createAdyenNotificationProcessor } from '../../../src/webhooks/adyen/processor.js'
import { entry } from '../../helpers/decision-log-suite.js'
import { checkFullOutboxReleases, checkHeldThenUnmatched, memoryLog, outbox, quiet, T0 } from '../../helpers/gateway-processor.js'

function item (eventCode: string, pspReference: string, merchantReference: string, extra: Partial<AdyenNotification> = {}): AdyenNotification {
  const success = extra.success ?? true
  const original = extra.originalReference
  return { id: `${pspReference}:${eventCode}:${String(success)}${original === undefined ? '' : `:${original}`}`, eventCode, success, pspReference, merchantReference, ...extra }
}

t.test('the decision is found by metadata, the merchantReference, then the payment\'s pspReference a modification names', async (t) => {
  const log = memoryLog()
  const byId = entry(log.keys, T0)
  const byChargeId = entry(log.keys, T0 + 1, { chargeId: 'order_42' })
  const byReference = entry(log.keys, T0 + 2, { chargeId: 'order_43' })
  await log.append([byId, byChargeId, byReference])
  const processor = createAdyenNotificationProcessor({ store: log, dedupe: { release: async () => {} }, outbox: outbox(), log: quiet })
  const label = async (id: string): Promise<string | undefined> => (await log.get(id))?.outcome?.label

  t.equal(await processor.process(item('AUTHORISATION', 'PSP0000000000001', 'shop-ref-1', { decisionId: byId.key.decisionId })), 'applied')
  t.equal(await label(byId.key.decisionId), 'legit')
  t.equal(await processor.process(item('AUTHORISATION', 'PSP0000000000002', 'shop-ref-2', { chargeId: 'order_42' })), 'applied')
  t.equal(await label(byChargeId.key.decisionId), 'legit')
  t.equal(await processor.process(item('AUTHORISATION', 'PSP0000000000003', 'order_43')), 'applied', 'the merchantReference as the scored charge_id')
  t.equal(await log.findByChargeId('PSP0000000000001'), byId.key.decisionId, 'the payment\'s pspReference is linked')
  t.equal(await log.findByChargeId('PSP0000000000003'), byReference.key.decisionId)

  // a refund's merchantReference may be the refund's own: the originalReference finds the payment
  t.equal(await processor.process(item('REFUND', 'PSP000000000000R', 'refund-ref-9', { originalReference: 'PSP0000000000001' })), 'applied')
  t.equal(await label(byId.key.decisionId), 'refund')
  t.equal(await processor.process(item('CHARGEBACK', 'DSP000000000000C', 'shop-ref-2', { originalReference: 'PSP0000000000002', chargebackReasonCode: '10.4', chargebackSchemeCode: 'visa' })), 'applied')
  t.equal(await label(byChargeId.key.decisionId), 'fraud')
  t.equal(await processor.process(item('NOTIFICATION_OF_FRAUD', 'NOF000000000000F', 'order_43', { originalReference: 'PSP0000000000003' })), 'applied')
  t.equal(await label(byReference.key.decisionId), 'fraud')
  t.equal(await processor.process(item('AUTHORISATION', 'PSP0000000000003', 'order_43')), 'kept', 'a late legit keeps the fraud')
  t.equal(await processor.process(item('CAPTURE', 'CAP0000000000001', 'order_43', { originalReference: 'PSP0000000000003' })), 'ignored')
  t.same(processor.stats(), { applied: 6, kept: 1, unmatched: 0, ignored: 1, failed: 0 })
})

t.test('a refused authorisation carrying riskgate\'s metadata links its pspReference, without an outcome', async (t) => {
  const log = memoryLog()
  const recorded = entry(log.keys, T0, { chargeId: 'order_x' })
  await log.append([recorded])
  const processor = createAdyenNotificationProcessor({ store: log, dedupe: { release: async () => {} }, outbox: outbox(), log: quiet })
  t.equal(await processor.process(item('AUTHORISATION', 'PSP00000000000RF', 'shop-x', { success: false, chargeId: 'order_x' })), 'ignored')
  t.equal(await log.findByChargeId('PSP00000000000RF'), recorded.key.decisionId)
  t.equal((await log.get(recorded.key.decisionId))?.outcome, undefined)
  t.equal(await processor.process(item('AUTHORISATION', 'PSP00000000000R2', 'nothing-scored', { success: false })), 'ignored', 'without metadata: no lookup, ignored')
})

const adyen = { create: createAdyenNotificationProcessor, kind: ADYEN_NOTIFICATION_KIND, source: 'adyen' } as const

t.test('an item whose decision never lands is counted unmatched past the hold limit; one the outbox cannot write releases its claim', async (t) => {
  await checkHeldThenUnmatched(t, adyen, item('CHARGEBACK', 'DSP00000000000LO', 'never-scored', { originalReference: 'PSP00000000000LO' }),
    'adyen notification: no recorded decision for this payment')
  await checkFullOutboxReleases(t, adyen, item('REFUND', 'PSP00000000000FU', 'order_f', { originalReference: 'PSP00000000000FO' }))
})
