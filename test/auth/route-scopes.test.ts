import t from 'tap'
import Fastify from 'fastify'
import { parseApiKeys, sha256, Scope } from '../../src/auth/api-keys.js'
import { authPlugin, hasScope } from '../../src/plugins/auth.js'
import { errorHandlerPlugin } from '../../src/plugins/error-handler.js'

const secrets = { merchant: 'scopes-test-merchant-0123456789', analyst: 'scopes-test-analyst-0123456789', ops: 'scopes-test-ops-0123456789', both: 'scopes-test-both-0123456789' }
const keys = parseApiKeys([
  `merchant:score:${sha256(secrets.merchant).toString('hex')}`,
  `analyst:analyst:${sha256(secrets.analyst).toString('hex')}`,
  `ops:admin:${sha256(secrets.ops).toString('hex')}`,
  `both:score+analyst:${sha256(secrets.both).toString('hex')}`
].join(','))
const bearer = (name: keyof typeof secrets): Record<string, string> => ({ authorization: `Bearer ${secrets[name]}` })

t.test('hasScope: one scope, or any of a list', async (t) => {
  const [merchant, analyst, ops, both] = keys as [typeof keys[0], typeof keys[0], typeof keys[0], typeof keys[0]]
  t.ok(hasScope(merchant, Scope.SCORE))
  t.notOk(hasScope(merchant, Scope.ANALYST))
  t.ok(hasScope(merchant, [Scope.SCORE, Scope.ANALYST]))
  t.ok(hasScope(analyst, [Scope.SCORE, Scope.ANALYST]))
  t.notOk(hasScope(ops, [Scope.SCORE, Scope.ANALYST]))
  t.ok(hasScope(both, [Scope.ANALYST]))
  t.notOk(hasScope(both, []), 'an empty list admits no key')
})

t.test('a route may require one scope or any of several; the request carries its actor', async (t) => {
  const app = Fastify({ logger: { level: 'silent' } })
  t.teardown(() => app.close())
  await app.register(errorHandlerPlugin)
  await app.register(authPlugin, { apiKeys: keys })
  app.get('/one', { config: { scope: Scope.ANALYST } }, async (request) => ({ actor: request.actor }))
  app.get('/any', { config: { scope: [Scope.SCORE, Scope.ANALYST] } }, async (request) => ({ actor: request.actor }))
  app.get('/public', async (request) => ({ actor: request.actor }))
  await app.ready()

  const get = async (url: string, headers: Record<string, string> = {}): Promise<{ status: number, body: Record<string, unknown> }> => {
    const res = await app.inject({ method: 'GET', url, headers })
    return { status: res.statusCode, body: res.json() }
  }
  t.same(await get('/one', bearer('analyst')), { status: 200, body: { actor: 'key:analyst' } })
  const refused = await get('/one', bearer('merchant'))
  t.equal(refused.status, 403)
  t.same(refused.body, { error: { code: 'forbidden', message: 'this API key lacks the "analyst" scope' } })
  t.same(await get('/any', bearer('merchant')), { status: 200, body: { actor: 'key:merchant' } })
  t.same(await get('/any', bearer('analyst')), { status: 200, body: { actor: 'key:analyst' } })
  t.same(await get('/any', bearer('both')), { status: 200, body: { actor: 'key:both' } })
  const ops = await get('/any', bearer('ops'))
  t.equal(ops.status, 403)
  t.same(ops.body, { error: { code: 'forbidden', message: 'this API key lacks the "score" or "analyst" scope' } })
  t.equal((await get('/any')).status, 401)
  t.equal((await get('/any', { authorization: 'Bearer not-a-key' })).status, 401)
  t.same(await get('/public'), { status: 200, body: { actor: null } }, 'no key asked, no actor')
})
