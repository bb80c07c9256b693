import t from 'tap'
import { EventType, newEventId, reviewClosedEvent, reviewOpenedEvent } from '../../src/merchant-webhooks/events.js'

const AT = Date.UTC(2026, 11, 4, 10, 30, 15, 250)
const DECISION = '0c4ad2e1-52f1-8a3b-9c4d-5e6f7a8b9c0d'

t.test('review.opened: the decision, its amount and the rules that fired', async (t) => {
  const event = reviewOpenedEvent({ decision_id: DECISION, charge_id: 'ord_1001', score: 60, amount: 129_900, currency: 'THB', fired: ['ip_card_country_mismatch', 'large_amount'] }, AT, 'evt_fixed')
  t.same(event, { id: 'evt_fixed', type: 'review.opened', decisionId: DECISION, createdMs: AT, body: event.body })
  t.same(JSON.parse(event.body), {
    id: 'evt_fixed',
    type: 'review.opened',
    created: Math.floor(AT / 1000),
    data: { decision_id: DECISION, charge_id: 'ord_1001', decision: 'review', score: 60, amount: 129_900, currency: 'THB', reasons: ['ip_card_country_mismatch', 'large_amount'] }
  })
})

t.test('review.closed: the action, its outcome, who and when; a note without card numbers', async (t) => {
  const approved = reviewClosedEvent({ decisionId: DECISION, chargeId: 'ord_1001', action: 'approve', actor: 'key:analyst-1', at: '2026-12-04T11:00:00.000Z' }, AT, 'evt_a')
  t.same(JSON.parse(approved.body), {
    id: 'evt_a',
    type: 'review.closed',
    created: Math.floor(AT / 1000),
    data: { decision_id: DECISION, charge_id: 'ord_1001', action: 'approve', outcome: 'review_approved', actor: 'key:analyst-1', closed_at: '2026-12-04T11:00:00.000Z' }
  })
  t.equal(approved.type, EventType.REVIEW_CLOSED)
  const rejected = reviewClosedEvent({ decisionId: DECISION, chargeId: 'ord_1001', action: 'reject', actor: 'console:analyst-2', at: new Date(AT), note: 'shopper called from 4111 1111 1111 1111' }, AT)
  const data = JSON.parse(rejected.body).data
  t.equal(data.outcome, 'review_rejected')
  t.equal(data.note, 'shopper called from [card]')
  t.equal(data.closed_at, new Date(AT).toISOString())
  t.throws(() => reviewClosedEvent({ decisionId: DECISION, chargeId: 'c', action: 'approve', actor: 'a', at: 'not a time' }, AT), RangeError)
})

t.test('event ids: evt_ and 22 random base64url characters, unique', async (t) => {
  const ids = new Set(Array.from({ length: 1000 }, () => newEventId()))
  t.equal(ids.size, 1000)
  for (const id of ids) t.match(id, /^evt_[A-Za-z0-9_-]{22}$/, { diagnostic: false })
})
