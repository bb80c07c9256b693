import t from 'tap'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import { findDecision, hasMetadata } from '../../src/webhooks/find-decision.js'
import { entry, keysOf } from '../helpers/decision-log-suite.js'

const T0 = Date.UTC(2026, 10, 21, 10)

t.test('metadata first (the decision id, then the charge id), then each gateway id in order', async (t) => {
  const log = createMemoryDecisionLog({ keys: keysOf(1) })
  const byId = entry(log.keys, T0)
  const byCharge = entry(log.keys, T0 + 1, { chargeId: 'order_42' })
  const byGateway = entry(log.keys, T0 + 2, { chargeId: 'psp_direct' })
  await log.append([byId, byCharge, byGateway])

  t.equal(await findDecision(log, { decisionId: byId.key.decisionId, chargeId: 'order_42', gatewayIds: ['psp_direct'] }), byId.key.decisionId)
  t.equal(await findDecision(log, { decisionId: 'not-recorded', chargeId: 'order_42', gatewayIds: ['psp_direct'] }), byCharge.key.decisionId, 'an unknown decision id: the next reference')
  t.equal(await findDecision(log, { gatewayIds: [undefined, 'unknown', 'psp_direct', 'order_42'] }), byGateway.key.decisionId, 'the first gateway id the log knows')
  t.equal(await findDecision(log, { gatewayIds: ['order_42', 'psp_direct'] }), byCharge.key.decisionId, 'in the order given')
  t.equal(await findDecision(log, { decisionId: 'nope', gatewayIds: ['none'] }), undefined)
  t.equal(await findDecision(log, {}), undefined)
})

t.test('the payment id is linked once the decision is found another way, not when it found it', async (t) => {
  const log = createMemoryDecisionLog({ keys: keysOf(1) })
  const recorded = entry(log.keys, T0, { chargeId: 'order_7' })
  await log.append([recorded])
  const links: string[] = []
  const store = { ...log, keys: log.keys, linkCharge: async (id: string, decisionId: string) => { links.push(id); await log.linkCharge(id, decisionId) } }

  t.equal(await findDecision(store, { chargeId: 'order_7', linkId: 'psp_1' }), recorded.key.decisionId)
  t.same(links, ['psp_1'], 'found through metadata: linked')
  t.equal(await findDecision(store, { gatewayIds: ['psp_1'], linkId: 'psp_1' }), recorded.key.decisionId, 'the linked id finds it now')
  t.same(links, ['psp_1'], 'found by the link itself: not linked again')
  t.equal(await findDecision(store, { gatewayIds: ['order_7'], linkId: 'psp_2' }), recorded.key.decisionId)
  t.same(links, ['psp_1', 'psp_2'], 'found by another gateway id: linked')
  t.equal(await findDecision(store, { gatewayIds: ['nothing'], linkId: 'psp_3' }), undefined)
  t.same(links, ['psp_1', 'psp_2'], 'nothing found: nothing linked')
  t.equal(hasMetadata({ gatewayIds: ['x'] }), false)
  t.equal(hasMetadata({ chargeId: 'x' }), true)
})
