import t from 'tap'
import path from 'node:path'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { rulesById } from '../../src/reviews/live-rules.js'
import { recordedReasons } from '../../src/reviews/recorded-reasons.js'
import { reviewClose, reviewOf } from '../../src/reviews/review-state.js'
import type { Features } from '../../src/engine/features.js'
import { rootDir } from '../helpers/test-data.js'

const features = (extra: Partial<Features> = {}): Features => ({
  amount: 3_000_000,
  currency: 'THB',
  item_count: 3,
  items: [],
  metadata: {},
  ip: { address: 'digest-of-the-ip-000000', version: 4, is_private: false, country: 'US', is_hosting: true },
  customer: {},
  ...extra
})

t.test('reasons of a record: the live rule\'s description, score, action and the values it reads from the recorded features', async (t) => {
  const rules = rulesById(await loadRuleSet(path.join(rootDir, 'rules')))
  const long = `gift card ${'x'.repeat(300)}`
  const reasons = recordedReasons({ fired: ['hosting_ip', 'gift_card_bulk', 'large_amount_anonymous_ip', 'retired_rule'], features: features({ description: long }) }, rules)
  t.same(reasons[0], { rule: 'hosting_ip', description: rules.get('hosting_ip')?.description, score: 25, action: null, values: { 'ip.is_hosting': true } })
  t.equal(reasons[1]?.values.item_count, 3)
  t.equal(reasons[1]?.values.description, `${long.slice(0, 200)}…`, 'long text cut as a live answer cuts it')
  t.same(reasons[2]?.values, { amount: 3_000_000, currency: 'THB', 'ip.is_tor': null, 'ip.is_hosting': true, 'ip.is_anonymous': null }, 'a path the record lacks is null')
  t.same(reasons[3], { rule: 'retired_rule', description: '', score: null, action: null, values: {} }, 'a rule no longer live')
})

t.test('the review of a record: open, or closed by the first close of its history', async (t) => {
  const at = '2026-11-21T10:00:00.000Z'
  const close = (label: 'review_approved' | 'review_rejected', minute: number) => ({ label, at: `2026-11-21T10:${String(minute).padStart(2, '0')}:00.000Z`, source: 'review' as const, actor: 'key:a' })
  t.equal(reviewOf({ decision: 'allow', at }, Date.parse(at)), undefined, 'no review for allow')
  t.same(reviewOf({ decision: 'review', at }, Date.parse(at) + 90_500), { status: 'open', age_seconds: 90 })
  t.same(reviewOf({ decision: 'review', at, outcomes: [{ label: 'chargeback', at, source: 'api' }], outcome: { label: 'chargeback', at, source: 'api' } }, Date.parse(at) + 1000),
    { status: 'open', age_seconds: 1 }, 'another outcome leaves it open')
  const history = [close('review_rejected', 5), { label: 'fraud' as const, at, source: 'api' as const }]
  t.same(reviewClose({ outcomes: history, outcome: history[1] }), history[0])
  t.same(reviewOf({ decision: 'review', at, outcomes: history, outcome: history[1] }, Date.parse(at) + 999_999),
    { status: 'closed', age_seconds: 300, closed: { action: 'reject', actor: 'key:a', at: '2026-11-21T10:05:00.000Z' } })
})
