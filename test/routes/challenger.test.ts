import t from 'tap'
import type { Test } from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { Value } from 'typebox/value'
import type { FastifyInstance } from 'fastify'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { createIdentifierDigest } from '../../src/hashing/identifier-digest.js'
import { bucketOf } from '../../src/rollout/assignment.js'
import { ScoreResponseSchema } from '../../src/schemas/decision.js'
import { analystAuth, ANALYST_SECRET, buildTestApp, charge, SCORE_SECRET, scoreAuth, testConfig } from '../helpers/app.js'

const ADMIN_SECRET = 'test-secret-admin-0123456789abcdef'
const adminAuth = { authorization: `Bearer ${ADMIN_SECRET}` }
const apiKeys = parseApiKeys([
  `merchant:score:${sha256(SCORE_SECRET).toString('hex')}`,
  `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
  `ops-admin:admin:${sha256(ADMIN_SECRET).toString('hex')}`
].join(','))
const HASH_KEY = testConfig({}).hashKey

/** the live set: a big charge goes to review */
const LIVE = [
  'version: "live.1"',
  'thresholds: { review: 50, block: 80 }',
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  'rules:',
  '  - id: big_amount',
  '    when: amount >= 100000',
  '    score: 60',
  ''
].join('\n')

/** the challenger: a big charge is blocked, and it counts charges per email, which the live set does not */
const CHALLENGER = [
  'version: "challenger.1"',
  'thresholds: { review: 50, block: 80 }',
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  '  email_1h: { count: charges, by: email, window: 1h }',
  'rules:',
  '  - id: big_amount_block',
  '    when: amount >= 100000',
  '    score: 90',
  '  - id: email_repeat',
  '    when: velocity.email_1h >= 3',
  '    action: block',
  ''
].join('\n')

/** declares ip_1h over another window than the live set's */
const CONFLICTING = CHALLENGER.replace('version: "challenger.1"', 'version: "conflict.1"').replace('ip_1h: { count: charges, by: ip, window: 1h }', 'ip_1h: { count: charges, by: ip, window: 24h }')
const BROKEN = CHALLENGER.replace('version: "challenger.1"', 'version: "broken.1"').replace('amount >= 100000', 'amount >= "lots"')

interface Setup { app: FastifyInstance, dir: string }

async function setup (t: Test, overrides: Record<string, unknown> = {}): Promise<Setup> {
  const dir = t.testdir({
    live: { 'ruleset.yaml': LIVE },
    challenger: { 'ruleset.yaml': CHALLENGER },
    conflicting: { 'ruleset.yaml': CONFLICTING },
    broken: { 'ruleset.yaml': BROKEN }
  })
  const { app } = await buildTestApp(t, { rulesDir: path.join(dir, 'live'), apiKeys, ...overrides })
  return { app, dir }
}

const stage = async (app: FastifyInstance, body: Record<string, unknown>, headers: Record<string, string> = adminAuth) =>
  await app.inject({ method: 'POST', url: '/v1/rules/challenger', headers, payload: body })
/** an answer, held to its schema with no field beside it (the route writes it with JSON.stringify) */
const score = async (app: FastifyInstance, body: Record<string, unknown>) => {
  const res = await app.inject({ method: 'POST', url: '/v1/score', headers: scoreAuth, payload: body })
  const answer = res.json()
  if (res.statusCode === 200 && !Value.Check(ScoreResponseSchema, answer)) throw new Error(`the answer is not the schema's shape: ${res.body.slice(0, 300)}`)
  return answer
}
const audit = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/v1/rules/audit', headers: analystAuth })).json().entries

t.test('a shadow challenger: evaluated on every charge, reported, recorded, never enforced', async (t) => {
  const { app, dir } = await setup(t)
  const staged = await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'shadow' })
  t.equal(staged.statusCode, 200, staged.body)
  t.match(staged.json(), { result: 'applied', live: { version: 'live.1' }, challenger: { version: 'challenger.1', mode: 'shadow', percent: null, by: null }, audited: true })

  const state = (await app.inject({ method: 'GET', url: '/v1/rules/challenger', headers: analystAuth })).json()
  t.match(state.challenger, { mode: 'shadow', staged_by: 'ops-admin', rule_set: { version: 'challenger.1', rules: [{ id: 'big_amount_block' }, { id: 'email_repeat' }] } })

  const answer = await score(app, charge({ amount: 125_000 }))
  t.equal(answer.decision, 'review', 'the live set decides')
  t.same(answer.ruleset, { version: 'live.1', hash: app.rules.current.hash, role: 'live' })
  t.match(answer.challenger, { version: 'challenger.1', mode: 'shadow', decided: false, decision: 'block', score: 90 })
  t.same(answer.challenger.reasons.map((r: { rule: string }) => r.rule), ['big_amount_block'])
  t.equal(answer.signals.velocity.email_1h, 1, 'the challenger\'s own counter is counted')

  await app.outbox.flush()
  const record = (await app.inject({ method: 'GET', url: `/v1/decisions/${answer.decision_id}`, headers: analystAuth })).json()
  t.same(record.rollout, {
    decided_by: 'live',
    mode: 'shadow',
    live: { version: 'live.1', hash: app.rules.current.hash, decision: 'review', score: 60, fired: ['big_amount'] },
    challenger: { version: 'challenger.1', hash: answer.challenger.hash, decision: 'block', score: 90, fired: ['big_amount_block'] }
  })
  t.equal(record.features.velocity.email_1h, 1, 'the record keeps the challenger\'s counters')

  const body = charge({ amount: 125_000 })
  const first = await score(app, body)
  await app.outbox.flush()
  const replayed = await score(app, body)
  t.equal(replayed.replayed, true)
  t.same(replayed.ruleset, first.ruleset, 'a retry says which set decided')
  t.same(replayed.challenger, first.challenger, 'and what the challenger decided')

  const entries = await audit(app)
  t.match(entries[0], { action: 'stage', result: 'applied', actor: 'ops-admin', loaded: { version: 'challenger.1' }, challenger: { mode: 'shadow', version: 'challenger.1' } })
})

t.test('shadow never changes the decision: the same charges get the same answers as without a challenger', async (t) => {
  const { app, dir } = await setup(t)
  const { app: alone } = await buildTestApp(t, { rulesDir: path.join(dir, 'live'), apiKeys })
  t.equal((await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'shadow' })).statusCode, 200)
  let n = 0
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 300_000 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), async (amount, customer, email) => {
    n++
    const body = charge({ charge_id: `ch_shadow_${process.pid}_${n}`, amount, customer_id: `cus_${customer}`, email: `shopper${email}@example.com` })
    const [withChallenger, without] = await Promise.all([score(app, body), score(alone, body)])
    return withChallenger.decision === without.decision && withChallenger.score === without.score &&
      JSON.stringify(withChallenger.reasons) === JSON.stringify(without.reasons) && withChallenger.challenger.decided === false
  }), { numRuns: 60 })
})

t.test('enforce: the challenger decides for its share of customers, always the same customers', async (t) => {
  const { app, dir } = await setup(t)
  const res = await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'enforce', percent: 30, by: 'customer.id' })
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json().challenger, { mode: 'enforce', percent: 30, by: 'customer.id' })
  const digestOf = createIdentifierDigest(HASH_KEY)
  let decided = 0
  const n = 150
  for (let i = 0; i < n; i++) {
    const customer = `cus_enforce_${i}`
    const expected = bucketOf(digestOf(customer)) < 30
    const answer = await score(app, charge({ amount: 125_000, customer_id: customer, email: `e${i}@example.com` }))
    t.equal(answer.challenger.decided, expected, `${customer}: ${expected ? 'the challenger' : 'the live set'}`)
    t.equal(answer.ruleset.role, expected ? 'challenger' : 'live')
    t.equal(answer.decision, expected ? 'block' : 'review', 'the deciding set\'s decision is the answer')
    t.same(answer.reasons.map((r: { rule: string }) => r.rule), expected ? ['big_amount_block'] : ['big_amount'])
    if (expected) {
      decided++
      t.equal(answer.ruleset.version, 'challenger.1')
      // the same customer again (another charge, another card): the challenger again
      const again = await score(app, charge({ amount: 1000, customer_id: customer, card: { fingerprint: `fp_${i}` } }))
      t.equal(again.ruleset.role, 'challenger')
    }
  }
  t.ok(decided > 20 && decided < 70, `${decided} of ${n} customers in a 30% share`)

  // no customer id and no card: the live set
  const anonymous = await score(app, { charge_id: `ch_anon_${process.pid}`, amount: 125_000, currency: 'THB', ip: '1.128.0.10' })
  t.equal(anonymous.ruleset.role, 'live')
  t.equal(anonymous.decision, 'review')

  await app.outbox.flush()
  const comparison = (await app.inject({ method: 'GET', url: '/v1/rules/challenger/comparison', headers: analystAuth })).json()
  t.equal(comparison.truncated, false)
  t.equal(comparison.pairs.length, 1)
  const pair = comparison.pairs[0]
  t.equal(pair.charges, comparison.compared)
  t.equal(pair.decided_by.challenger, decided * 2)
  t.equal(pair.modes.enforce, pair.charges)
  t.equal(pair.matrix.review.block, n + 1, 'every big charge: review by the live set, block by the challenger')
  t.equal(pair.sets.live.decisions.review, n + 1)
  t.equal(pair.sets.live.decisions.allow, decided, 'the small charges of the same customers')
})

t.test('the challenger\'s own velocity counters are counted, so its rules read them', async (t) => {
  const { app, dir } = await setup(t)
  t.equal((await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'shadow' })).statusCode, 200)
  const email = `repeat-${process.pid}@example.com`
  const answers = []
  for (let i = 0; i < 3; i++) answers.push(await score(app, charge({ amount: 1000, email, customer_id: `cus_v${i}` })))
  t.same(answers.map((a) => a.signals.velocity.email_1h), [1, 2, 3])
  t.same(answers.map((a) => a.signals.velocity.ip_1h), [1, 2, 3], 'a counter both sets declare is counted once')
  t.same(answers.map((a) => a.challenger.decision), ['allow', 'allow', 'block'])
  t.same(answers.map((a) => a.decision), ['allow', 'allow', 'allow'])
})

t.test('a broken or conflicting challenger is refused with 422; the live set and the staged challenger stay', async (t) => {
  const { app, dir } = await setup(t)
  const live = app.rules.current
  const broken = await stage(app, { rules_dir: path.join(dir, 'broken'), mode: 'shadow' })
  t.equal(broken.statusCode, 422)
  t.equal(broken.json().error.code, 'rule_set_invalid')
  t.match(broken.json().error.details[0].message, /ruleset\.yaml:\d+:\d+ rule big_amount_block/)
  t.equal(app.rules.current, live, 'the live set is untouched')
  t.equal(app.challenger.current, undefined, 'nothing is staged')

  t.equal((await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'shadow' })).statusCode, 200)
  const staged = app.challenger.current
  const conflicting = await stage(app, { rules_dir: path.join(dir, 'conflicting'), mode: 'shadow' })
  t.equal(conflicting.statusCode, 422)
  t.match(conflicting.json().error.details[0].message, /ruleset\.yaml:4:1 velocity ip_1h is count by ip\.address over 86400 s here but count by ip\.address over 3600 s in the live set/)
  t.equal(app.challenger.current, staged, 'the staged challenger stays')

  const missing = await stage(app, { rules_dir: path.join(dir, 'nowhere'), mode: 'shadow' })
  t.equal(missing.statusCode, 422)
  t.match(missing.json().error.details[0].message, /cannot read the rule set: file not found/)

  // a live reload that would declare the challenger's counter otherwise is refused too
  writeFileSync(path.join(dir, 'live', 'ruleset.yaml'), LIVE.replace('window: 1h', 'window: 2h').replace('live.1', 'live.2'))
  const reload = await app.inject({ method: 'POST', url: '/v1/rules/reload', headers: adminAuth })
  t.equal(reload.statusCode, 422)
  t.match(reload.json().error.details[0].message, /velocity ip_1h .* in the challenger set/)
  t.equal(app.rules.current, live)

  const entries = await audit(app)
  t.match(entries.map((e: { action?: string, result: string }) => `${e.action ?? 'reload'} ${e.result}`), ['reload refused', 'stage refused', 'stage refused', 'stage applied', 'stage refused'])
})

t.test('promote: the challenger becomes the live set, audited; later reloads read its folder', async (t) => {
  const { app, dir } = await setup(t)
  t.equal((await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'enforce', percent: 10 })).statusCode, 200)
  const challengerHash = app.challenger.current?.ruleSet.hash
  const promoted = await app.inject({ method: 'POST', url: '/v1/rules/challenger/promote', headers: adminAuth })
  t.equal(promoted.statusCode, 200, promoted.body)
  t.match(promoted.json(), { result: 'applied', previous: { version: 'live.1' }, live: { version: 'challenger.1', hash: challengerHash }, promoted: { mode: 'enforce', percent: 10 }, audited: true })
  t.equal(app.challenger.current, undefined)

  const rules = (await app.inject({ method: 'GET', url: '/v1/rules', headers: analystAuth })).json()
  t.equal(rules.version, 'challenger.1')
  t.match(rules.file, /challenger/)
  const answer = await score(app, charge({ amount: 125_000 }))
  t.equal(answer.decision, 'block')
  t.same(answer.ruleset, { version: 'challenger.1', hash: challengerHash }, 'no challenger: no role')
  t.notOk('challenger' in answer)

  writeFileSync(path.join(dir, 'challenger', 'ruleset.yaml'), readFileSync(path.join(dir, 'challenger', 'ruleset.yaml'), 'utf8').replace('challenger.1', 'challenger.2'))
  const reload = await app.inject({ method: 'POST', url: '/v1/rules/reload', headers: adminAuth })
  t.equal(reload.statusCode, 200)
  t.equal(reload.json().live.version, 'challenger.2', 'the reload read the promoted folder')

  t.match((await audit(app))[1], { action: 'promote', result: 'applied', previous: { version: 'live.1' }, loaded: { version: 'challenger.1' } })
  const again = await app.inject({ method: 'POST', url: '/v1/rules/challenger/promote', headers: adminAuth })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'no_challenger')
})

t.test('drop: the challenger stops running, audited; the live set is untouched', async (t) => {
  const { app, dir } = await setup(t)
  t.equal((await stage(app, { rules_dir: path.join(dir, 'challenger'), mode: 'shadow' })).statusCode, 200)
  const dropped = await app.inject({ method: 'DELETE', url: '/v1/rules/challenger', headers: adminAuth })
  t.equal(dropped.statusCode, 200)
  t.match(dropped.json(), { result: 'applied', live: { version: 'live.1' }, dropped: { version: 'challenger.1' } })
  const answer = await score(app, charge({ amount: 125_000 }))
  t.notOk('challenger' in answer)
  t.equal(answer.ruleset.role, undefined)
  t.notOk('email_1h' in answer.signals.velocity, 'its counters are no longer counted')
  t.match((await audit(app))[0], { action: 'drop', result: 'applied', challenger: { version: 'challenger.1' } })
  const again = await app.inject({ method: 'DELETE', url: '/v1/rules/challenger', headers: adminAuth })
  t.equal(again.statusCode, 409)
  t.equal(again.json().error.code, 'no_challenger')
  t.same((await app.inject({ method: 'GET', url: '/v1/rules/challenger', headers: analystAuth })).json(), { challenger: null })
})

t.test('the same folder and rollout again is unchanged; another percent restages', async (t) => {
  const { app, dir } = await setup(t)
  const body = { rules_dir: path.join(dir, 'challenger'), mode: 'enforce', percent: 10 }
  t.equal((await stage(app, body)).json().result, 'applied')
  const staged = app.challenger.current
  t.equal((await stage(app, body)).json().result, 'unchanged')
  t.equal(app.challenger.current, staged)
  t.equal((await stage(app, { ...body, percent: 50 })).json().result, 'applied')
  t.match(app.challenger.current?.rollout, { percent: 50 })
})

t.test('scopes and validation', async (t) => {
  const { app, dir } = await setup(t)
  const rulesDir = path.join(dir, 'challenger')
  t.equal((await stage(app, { rules_dir: rulesDir, mode: 'shadow' }, analystAuth)).statusCode, 403, 'staging needs admin')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/rules/challenger', headers: analystAuth })).statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/v1/rules/challenger/promote', headers: scoreAuth })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules/challenger', headers: scoreAuth })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules/challenger/comparison', headers: scoreAuth })).statusCode, 403)

  const shadowWithPercent = await stage(app, { rules_dir: rulesDir, mode: 'shadow', percent: 10 })
  t.equal(shadowWithPercent.statusCode, 400)
  t.match(shadowWithPercent.json().error, { code: 'validation_failed', details: [{ path: '/percent' }] })
  const enforceWithout = await stage(app, { rules_dir: rulesDir, mode: 'enforce' })
  t.match(enforceWithout.json().error, { code: 'validation_failed', details: [{ path: '/percent' }] })
  t.equal((await stage(app, { rules_dir: rulesDir, mode: 'enforce', percent: 0 })).statusCode, 400)
  t.equal((await stage(app, { rules_dir: rulesDir, mode: 'enforce', percent: 10, by: 'email' })).statusCode, 400)
  const noDir = await stage(app, { mode: 'shadow' })
  t.match(noDir.json().error, { code: 'validation_failed', details: [{ path: '/rules_dir' }] })
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules/challenger/comparison?from=yesterday', headers: analystAuth })).statusCode, 400)
  t.equal(app.challenger.current, undefined)
})

t.test('RISKGATE_CHALLENGER_RULES: staged at start (the folder a stage reads by default); a broken one stops the start', async (t) => {
  const dir = t.testdir({ live: { 'ruleset.yaml': LIVE }, challenger: { 'ruleset.yaml': CHALLENGER }, broken: { 'ruleset.yaml': BROKEN } })
  const { app } = await buildTestApp(t, { rulesDir: path.join(dir, 'live'), apiKeys, challenger: { rulesDir: path.join(dir, 'challenger'), rollout: { mode: 'enforce', percent: 100, by: 'card.fingerprint' } } })
  t.match(app.challenger.current, { stagedBy: 'start', rollout: { mode: 'enforce', percent: 100, by: 'card.fingerprint' } })
  const answer = await score(app, charge({ amount: 125_000 }))
  t.equal(answer.ruleset.role, 'challenger')
  t.equal(answer.decision, 'block')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/rules/challenger', headers: adminAuth })).statusCode, 200)
  const restaged = await stage(app, { mode: 'shadow' })
  t.equal(restaged.statusCode, 200, 'a stage without rules_dir reads RISKGATE_CHALLENGER_RULES')
  t.equal(restaged.json().challenger.version, 'challenger.1')

  await t.rejects(buildTestApp(t, { rulesDir: path.join(dir, 'live'), apiKeys, challenger: { rulesDir: path.join(dir, 'broken'), rollout: { mode: 'shadow' } } }), { name: 'RuleSetError' })
})
