import t from 'tap'
import { parseApiKeys, sha256 } from '../../src/auth/api-keys.js'
import { ANALYST_SECRET, SCORE_SECRET, analystAuth, buildTestApp, charge } from '../helpers/app.js'
import { REVIEW_IP, closeReview, score } from '../helpers/analyst.js'
import { sessionCookie, signIn } from '../helpers/console.js'

const OPS_SECRET = 'test-secret-ops-0123456789abcdef0123'

/** the test app's keys plus one with every scope (a session must still reach analyst routes only) */
function keysWithOps (opsSecret = OPS_SECRET) {
  return parseApiKeys([
    `merchant:score:${sha256(SCORE_SECRET).toString('hex')}`,
    `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
    `ops:score+analyst+admin:${sha256(opsSecret).toString('hex')}`
  ].join(','))
}

/** runs `fn` with the clock moved on by `seconds` (Date.now only: what session times are read from) */
async function later<T> (seconds: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now
  const offset = seconds * 1000
  Date.now = () => realNow() + offset
  try {
    return await fn()
  } finally {
    Date.now = realNow
  }
}

t.test('sign-in: an analyst key gives a session cookie (HttpOnly, SameSite=Strict, path /), never echoing the key', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/console/session', payload: { key: ANALYST_SECRET, name: 'Somchai' } })
  t.equal(res.statusCode, 200)
  const setCookie = String(res.headers['set-cookie'])
  t.match(setCookie, /^riskgate_console=/)
  t.match(setCookie, /; HttpOnly/)
  t.match(setCookie, /; SameSite=Strict/)
  t.match(setCookie, /; Path=\//)
  t.notMatch(setCookie, /; Secure/, 'not Secure over plain http (it is over https)')
  t.equal(res.headers['cache-control'], 'no-store')
  const body = res.json()
  t.match(body, { key_id: 'analyst', name: 'Somchai', csrf_token: String })
  t.ok(Date.parse(body.expires_at) - Date.now() > 11 * 3600_000, 'ends 12 hours after sign-in at the latest')
  for (const text of [res.body, setCookie, logs.join('')]) t.notOk(text.includes(ANALYST_SECRET), 'the key is echoed nowhere')
  t.notOk(setCookie.includes('analyst'), 'the cookie is encrypted (not even the key id reads in it)')
  t.match(logs.join(''), /"msg":"console sign-in"/)
})

t.test('over https (or behind a proxy that terminates it) the cookie is Secure', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/console/session', headers: { 'x-forwarded-proto': 'https' }, payload: { key: ANALYST_SECRET } })
  t.equal(res.statusCode, 200)
  t.match(String(res.headers['set-cookie']), /; Secure/)
  t.match(String(res.headers['set-cookie']), /; SameSite=Strict/)
})

t.test('a wrong key and a key without the analyst scope are refused alike (401, no hint)', async (t) => {
  const { app } = await buildTestApp(t)
  const wrong = await app.inject({ method: 'POST', url: '/console/session', payload: { key: 'wrong-0123456789abcdef' } })
  const scoreOnly = await app.inject({ method: 'POST', url: '/console/session', payload: { key: SCORE_SECRET } })
  t.equal(wrong.statusCode, 401)
  t.equal(scoreOnly.statusCode, 401)
  t.same(wrong.json(), scoreOnly.json(), 'the same answer')
  t.equal(wrong.json().error.code, 'unauthorized')
  t.equal(wrong.headers['set-cookie'], undefined)
  const empty = await app.inject({ method: 'POST', url: '/console/session', payload: {} })
  t.equal(empty.statusCode, 400)
})

t.test('login CSRF: a sign-in from another site is refused', async (t) => {
  const { app } = await buildTestApp(t)
  const post = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/console/session', headers: { host: 'riskgate.example', ...headers }, payload: { key: ANALYST_SECRET } })
  t.equal((await post({ origin: 'https://evil.example' })).statusCode, 403)
  t.equal((await post({ origin: 'null' })).statusCode, 403)
  t.equal((await post({ 'sec-fetch-site': 'cross-site' })).statusCode, 403)
  t.equal((await post({ 'sec-fetch-site': 'same-site', origin: 'https://riskgate.example' })).statusCode, 403, 'a sibling subdomain is another site too')
  t.equal((await post({ origin: 'https://riskgate.example', 'sec-fetch-site': 'same-origin' })).statusCode, 200)
  t.equal((await post({ origin: 'https://riskgate.example' })).statusCode, 200, 'an older browser: by the Origin')
  t.equal((await post({ origin: 'https://riskgate.example', 'sec-fetch-site': 'same-origin', host: '127.0.0.1:8080' })).statusCode, 200, 'behind a proxy that rewrites Host')
  t.equal((await post({ origin: 'https://riskgate.example', host: '127.0.0.1:8080', 'x-forwarded-host': 'riskgate.example' })).statusCode, 200, 'the same, told by X-Forwarded-Host')
})

t.test('a session authenticates analyst routes as its key, with actor console:<key id>', async (t) => {
  const { app } = await buildTestApp(t)
  const { cookie, csrf } = await signIn(app, ANALYST_SECRET)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie } })).statusCode, 200)
  const queue = await app.inject({ method: 'GET', url: '/v1/reviews', headers: { cookie } })
  t.equal(queue.statusCode, 200)

  const scored = await score(app, charge({ ip: REVIEW_IP }))
  t.equal(scored.decision, 'review')
  const closed = await closeReview(app, scored.decision_id, { action: 'approve' }, { cookie, 'x-csrf-token': csrf })
  t.equal(closed.statusCode, 200, 'a POST with the CSRF token succeeds')
  t.equal(closed.json().outcome.actor, 'console:analyst')
  const byKey = await score(app, charge({ ip: REVIEW_IP }))
  const withKey = await closeReview(app, byKey.decision_id, { action: 'reject' }, analystAuth)
  t.equal(withKey.json().outcome.actor, 'key:analyst', 'the same key as a Bearer token is key:<id>')
})

t.test('CSRF: a session POST without the token, with a forged one or with another session\'s is refused (403 csrf_invalid)', async (t) => {
  const { app } = await buildTestApp(t)
  const mine = await signIn(app, ANALYST_SECRET)
  const theirs = await signIn(app, ANALYST_SECRET)
  const scored = await score(app, charge({ ip: REVIEW_IP }))
  for (const [what, headers] of [
    ['no token', { cookie: mine.cookie }],
    ['a forged token', { cookie: mine.cookie, 'x-csrf-token': 'forged-token' }],
    ['another session\'s token', { cookie: mine.cookie, 'x-csrf-token': theirs.csrf }]
  ] as const) {
    const res = await closeReview(app, scored.decision_id, { action: 'reject' }, headers)
    t.equal(res.statusCode, 403, what)
    t.equal(res.json().error.code, 'csrf_invalid', what)
  }
  const review = await app.inject({ method: 'GET', url: `/v1/decisions/${scored.decision_id}`, headers: { cookie: mine.cookie } })
  t.equal(review.json().review.status, 'open', 'nothing was closed')
  const ok = await closeReview(app, scored.decision_id, { action: 'reject' }, { cookie: mine.cookie, 'x-csrf-token': mine.csrf })
  t.equal(ok.statusCode, 200)
})

t.test('a session never reaches score or admin routes, whatever its key\'s scopes', async (t) => {
  const { app } = await buildTestApp(t, { apiKeys: keysWithOps() })
  const { cookie, csrf } = await signIn(app, OPS_SECRET)
  const scoreRes = await app.inject({ method: 'POST', url: '/v1/score', headers: { cookie, 'x-csrf-token': csrf }, payload: charge() })
  t.equal(scoreRes.statusCode, 401, 'POST /v1/score')
  const reload = await app.inject({ method: 'POST', url: '/v1/rules/reload', headers: { cookie, 'x-csrf-token': csrf } })
  t.equal(reload.statusCode, 401, 'POST /v1/rules/reload')
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie } })).statusCode, 200, 'analyst routes: yes')
})

t.test('an Authorization header is all that counts when sent: the cookie is not read', async (t) => {
  const { app } = await buildTestApp(t)
  const { cookie } = await signIn(app, ANALYST_SECRET)
  const wrongBearer = await app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie, authorization: 'Bearer wrong-0123456789' } })
  t.equal(wrongBearer.statusCode, 401, 'a wrong key with a valid session is refused')
  const bearer = await app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie: 'riskgate_console=garbage', ...analystAuth } })
  t.equal(bearer.statusCode, 200)
})

t.test('a tampered or foreign cookie is no session', async (t) => {
  const { app } = await buildTestApp(t)
  const { cookie } = await signIn(app, ANALYST_SECRET)
  const value = decodeURIComponent(cookie.slice('riskgate_console='.length))
  const flipped = (value[5] === 'A' ? 'B' : 'A')
  const tampered = `riskgate_console=${encodeURIComponent(value.slice(0, 5) + flipped + value.slice(6))}`
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie: tampered } })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/console/session', headers: { cookie: tampered } })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie: 'riskgate_console=bm90IGEgc2Vzc2lvbg%3D%3D%3Bbm9uY2U%3D' } })).statusCode, 401)
  // a server with another session key cannot read it
  const other = await buildTestApp(t, { hashKey: 'another-hash-key-0123456789abcdef012345' })
  t.equal((await other.app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie } })).statusCode, 401)
})

t.test('sessions end: 8 hours idle, 12 hours after sign-in, or when the key\'s secret changes', async (t) => {
  const { app } = await buildTestApp(t)
  const { cookie } = await signIn(app, ANALYST_SECRET)
  const rules = (c: string) => app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie: c } })
  t.equal((await later(7 * 3600, () => rules(cookie))).statusCode, 200, '7 h idle: still signed in')
  t.equal((await later(8 * 3600 + 1, () => rules(cookie))).statusCode, 401, '8 h idle: ended')

  // used every few hours (the console's GET /console/session restarts the idle time): 12 h at most
  let current = cookie
  for (const hours of [4, 8, 11]) {
    const res = await later(hours * 3600, () => app.inject({ method: 'GET', url: '/console/session', headers: { cookie: current } }))
    t.equal(res.statusCode, 200, `used after ${hours} h`)
    current = sessionCookie(res)
  }
  t.equal((await later(11 * 3600 + 1800, () => rules(current))).statusCode, 200, 'kept alive: 11.5 h after sign-in')
  t.equal((await later(12 * 3600 + 1, () => rules(current))).statusCode, 401, '12 h after sign-in: ended however used')
  t.equal((await later(12 * 3600 + 1, () => app.inject({ method: 'GET', url: '/console/session', headers: { cookie: current } }))).statusCode, 401)

  // the same key id with a new secret (rotated): the session ends
  const rotated = await buildTestApp(t, {
    apiKeys: parseApiKeys(`analyst:analyst:${sha256('a-rotated-secret-0123456789abcdef').toString('hex')}`)
  })
  t.equal((await rotated.app.inject({ method: 'GET', url: '/v1/rules', headers: { cookie } })).statusCode, 401)
})

t.test('sign-out clears the cookie; it needs the CSRF token', async (t) => {
  const { app } = await buildTestApp(t)
  const { cookie, csrf } = await signIn(app, ANALYST_SECRET)
  const refused = await app.inject({ method: 'DELETE', url: '/console/session', headers: { cookie } })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().error.code, 'csrf_invalid')
  const out = await app.inject({ method: 'DELETE', url: '/console/session', headers: { cookie, 'x-csrf-token': csrf } })
  t.equal(out.statusCode, 204)
  t.match(String(out.headers['set-cookie']), /^riskgate_console=; Max-Age=0/)
  const none = await app.inject({ method: 'GET', url: '/console/session' })
  t.equal(none.statusCode, 401)
})

t.test('the page: strict CSP from helmet on console responses; /docs and the API untouched', async (t) => {
  const { app } = await buildTestApp(t)
  const page = await app.inject({ method: 'GET', url: '/console' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  const csp = String(page.headers['content-security-policy'])
  for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    t.ok(csp.split(';').includes(directive), directive)
  }
  t.notMatch(csp, /unsafe-inline|unsafe-eval/)
  t.equal(page.headers['x-frame-options'], 'DENY')
  t.notMatch(page.body, /<script>|<style>|style=/, 'no inline script or style in the page')
  const asset = await app.inject({ method: 'GET', url: '/console/assets/app.js' })
  t.equal(asset.statusCode, 200)
  t.match(asset.headers['content-type'], /javascript/)
  t.ok(asset.headers['content-security-policy'])
  const docs = await app.inject({ method: 'GET', url: '/docs' })
  t.equal(docs.statusCode, 200, '/docs still serves its UI')
  t.match(docs.body, /swagger/i)
  t.notOk(String(docs.headers['content-security-policy'] ?? '').includes("frame-ancestors 'none'"), 'the console\'s policy is not on /docs')
  const api = await app.inject({ method: 'GET', url: '/v1/rules', headers: analystAuth })
  t.equal(api.headers['content-security-policy'], undefined, 'nor on the API')
  t.equal((await app.inject({ method: 'GET', url: '/console/assets/../session-routes.ts' })).statusCode, 404, 'only the public folder is served')
})

t.test('in production without RISKGATE_CONSOLE_SESSION_KEY the console is disabled, and says so', async (t) => {
  const { app, logs } = await buildTestApp(t, { env: 'production' })
  const res = await app.inject({ method: 'GET', url: '/console' })
  t.equal(res.statusCode, 503)
  t.match(res.json().error.message, /RISKGATE_CONSOLE_SESSION_KEY/)
  t.match(logs.join(''), /console \(\/console\) is disabled/)
  t.equal((await app.inject({ method: 'POST', url: '/console/session', payload: { key: ANALYST_SECRET } })).statusCode, 404)
})
