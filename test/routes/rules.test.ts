import t from 'tap'
import type { Test } from 'tap'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { analystAuth, ANALYST_SECRET, buildTestApp, charge, SCORE_SECRET, scoreAuth } from '../helpers/app.js'

const ADMIN_SECRET = 'test-secret-admin-0123456789abcdef'
const adminAuth = { authorization: `Bearer ${ADMIN_SECRET}` }
const apiKeys = parseApiKeys([
  `merchant:score:${sha256(SCORE_SECRET).toString('hex')}`,
  `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
  `ops-admin:admin:${sha256(ADMIN_SECRET).toString('hex')}`
].join(','))

/** A small rule set: one rule that always fires, named after the version, so a decision shows which set made it. */
const ruleSet = (version: string, score: number, extra = '') => [
  `version: "${version}"`,
  'thresholds: { review: 50, block: 80 }',
  'velocity:',
  '  ip_1h: { count: charges, by: ip, window: 1h }',
  'lists:',
  '  blocked: lists/blocked.txt',
  'rules:',
  `  - id: rule_${version.replace(/\W/g, '_')}`,
  `    description: always fires in ${version}`,
  '    when: amount >= 0',
  `    score: ${score}`,
  extra
].join('\n')

async function appWithRules (t: Test, text: string): Promise<{ app: FastifyInstance, dir: string }> {
  const dir = t.testdir({ 'ruleset.yaml': text, lists: { 'blocked.txt': 'x@example.com\n' } })
  const { app } = await buildTestApp(t, { rulesDir: dir, apiKeys })
  return { app, dir }
}

const reload = async (app: FastifyInstance, headers: Record<string, string> = adminAuth) =>
  await app.inject({ method: 'POST', url: '/v1/rules/reload', headers })

const audit = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/v1/rules/audit', headers: analystAuth })).json().entries

t.test('GET /v1/rules (analyst): the live set', async (t) => {
  const { app } = await appWithRules(t, ruleSet('v1', 10))
  const res = await app.inject({ method: 'GET', url: '/v1/rules', headers: analystAuth })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.version, 'v1')
  t.equal(body.hash, app.rules.current.hash)
  t.same(body.thresholds, { review: 50, block: 80 })
  t.same(body.velocity, [{ name: 'ip_1h', kind: 'count', by: ['ip.address'], window_seconds: 3600 }])
  t.same(body.lists, [{ name: 'blocked', file: body.lists[0].file, size: 1 }])
  t.notOk(res.body.includes('x@example.com'), 'list values are not shown')
  t.same(body.rules.map((r: { id: string }) => r.id), ['rule_v1'])
  t.ok(Date.parse(body.loaded_at) > 0)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules', headers: scoreAuth })).statusCode, 403)
})

t.test('POST /v1/rules/reload (admin): applied, unchanged, refused with file:line:col; every attempt audited', async (t) => {
  const { app, dir } = await appWithRules(t, ruleSet('v1', 10))
  const v1 = app.rules.current.hash

  await writeFile(path.join(dir, 'ruleset.yaml'), ruleSet('v2', 20))
  const applied = await reload(app)
  t.equal(applied.statusCode, 200)
  const body = applied.json()
  t.equal(body.result, 'applied')
  t.same(body.previous, { version: 'v1', hash: v1 })
  t.same(body.live, { version: 'v2', hash: app.rules.current.hash })
  t.equal(body.audited, true)

  t.equal((await reload(app)).json().result, 'unchanged')

  await writeFile(path.join(dir, 'ruleset.yaml'), ruleSet('v3', 30, '  - id: broken\n    when: ip.is_torr\n    score: 5'))
  const refused = await reload(app)
  t.equal(refused.statusCode, 422)
  const error = refused.json().error
  t.equal(error.code, 'rule_set_invalid')
  t.match(error.details[0].message, /ruleset\.yaml:13:14 rule broken: .*is_torr/)
  t.equal(app.rules.current.version, 'v2', 'the old set stays live')
  const scored = (await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })).json()
  t.same(scored.reasons.map((r: { rule: string }) => r.rule), ['rule_v2'], 'and scores')

  const entries = await audit(app)
  t.same(entries.map((e: { result: string }) => e.result), ['refused', 'unchanged', 'applied'], 'newest first')
  t.same(entries.map((e: { actor: string }) => e.actor), ['ops-admin', 'ops-admin', 'ops-admin'])
  t.same(entries[2].previous, { version: 'v1', hash: v1 })
  t.same(entries[2].loaded, { version: 'v2', hash: body.live.hash })
  t.equal(entries[0].loaded, null)
  t.match(entries[0].errors[0], /ruleset\.yaml:13:14 rule broken/)
  t.ok(entries.every((e: { at: string }) => Date.parse(e.at) > 0))
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules/audit?limit=1', headers: analystAuth })).json().entries.length, 1)
})

t.test('reload refuses a set with a lint error as it refuses a compile error: 422, the old set stays, audited; warnings load', async (t) => {
  const { app, dir } = await appWithRules(t, ruleSet('v1', 10))
  const v1 = { version: 'v1', hash: app.rules.current.hash }

  // compiles, but can never fire (riskgate's currencies are upper-case): `riskgate rules check` fails it
  await writeFile(path.join(dir, 'ruleset.yaml'), ruleSet('v2', 20, '  - id: thb\n    when: currency == "thb"\n    score: 5'))
  const refused = await reload(app)
  t.equal(refused.statusCode, 422)
  t.equal(refused.json().error.code, 'rule_set_invalid')
  t.match(refused.json().error.details, [{ message: /ruleset\.yaml:13:11 rule thb: can never fire: currency is compared with "thb".*\[never_fires\]$/ }])
  t.same({ version: app.rules.current.version, hash: app.rules.current.hash }, v1, 'the old set stays live')
  const scored = (await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })).json()
  t.same(scored.reasons.map((r: { rule: string }) => r.rule), ['rule_v1'], 'and scores')
  const [entry] = await audit(app)
  t.match(entry, { result: 'refused', actor: 'ops-admin', previous: v1, loaded: null, errors: [/ruleset\.yaml:13:11 rule thb: can never fire.*\[never_fires\]/] })

  // warnings only (the rule fires on every charge; the list and the counter are unused): applied
  await writeFile(path.join(dir, 'ruleset.yaml'), ruleSet('v3', 30))
  const applied = await reload(app)
  t.equal(applied.statusCode, 200)
  t.equal(applied.json().result, 'applied')
  t.equal(app.rules.current.version, 'v3')
  t.same((await audit(app)).map((e: { result: string }) => e.result), ['applied', 'refused'])
})

t.test('scopes: reload needs admin, the audit needs analyst', async (t) => {
  const { app } = await appWithRules(t, ruleSet('v1', 10))
  t.equal((await reload(app, analystAuth)).statusCode, 403)
  t.equal((await reload(app, scoreAuth)).statusCode, 403)
  t.equal((await reload(app, {})).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules/audit', headers: adminAuth })).statusCode, 403)
  t.same(await audit(app), [], 'refused requests are not reload attempts')
  for (const limit of ['0', '1001', 'ten']) {
    t.equal((await app.inject({ method: 'GET', url: `/v1/rules/audit?limit=${limit}`, headers: analystAuth })).statusCode, 400, `limit=${limit}`)
  }
})

t.test('requests in flight during reloads each see one whole rule set', async (t) => {
  const { app, dir } = await appWithRules(t, ruleSet('a', 10))
  const score = async () => (await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })).json()
  const pending: Array<Promise<{ ruleset: { version: string }, reasons: Array<{ rule: string }>, score: number }>> = []
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 30; i++) pending.push(score())
    // swap the set while those requests are in flight (they await the velocity store)
    await writeFile(path.join(dir, 'ruleset.yaml'), round % 2 === 0 ? ruleSet('b', 20) : ruleSet('a', 10))
    await app.reloadRules('test')
  }
  const results = await Promise.all(pending)
  const seen = new Set(results.map((r) => r.ruleset.version))
  t.same([...seen].sort(), ['a', 'b'], 'both sets decided some requests')
  for (const result of results) {
    const expected = result.ruleset.version === 'a' ? { rules: ['rule_a'], score: 10 } : { rules: ['rule_b'], score: 20 }
    if (result.reasons.map((r) => r.rule).join() !== expected.rules.join() || result.score !== expected.score) {
      t.fail(`a decision mixed two sets: ${JSON.stringify(result)}`)
    }
  }
  t.equal(results.length, 180)
})
