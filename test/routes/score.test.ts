import t from 'tap'
import { buildTestApp, charge, scoreAuth, analystAuth, TOR_EXIT } from '../helpers/app.js'

const json = { 'content-type': 'application/json' }

t.test('POST /v1/score', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const post = (body: unknown, headers: Record<string, string> = scoreAuth) =>
    app.inject({ method: 'POST', url: '/v1/score', headers: { ...json, ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) })

  t.test('scores a clean charge with real signals and velocity', async (t) => {
    const body = charge()
    const res = await post(body)
    t.equal(res.statusCode, 200)
    const out = res.json()
    t.equal(out.charge_id, body.charge_id)
    t.match(out.decision_id, /^[0-9a-f-]{36}$/)
    t.equal(out.signals.ip.country, 'AU')
    t.equal(out.signals.ip.asn, 1221)
    t.equal(out.signals.ip.is_tor, false, 'the Tor list is loaded: known false')
    t.equal(out.signals.velocity.charges_per_ip_1h, 1)
    t.same(out.degraded, [])
    t.equal(out.replayed, false)
    t.ok(out.ruleset.hash.length === 64)
    t.ok(out.data.country, 'names the data version it used')
    t.equal(res.headers['x-request-id'] !== undefined, true)
  })

  t.test('a Tor exit on a hosting network is flagged with the values read', async (t) => {
    const res = await post(charge({ ip: TOR_EXIT }))
    t.equal(res.statusCode, 200)
    const out = res.json()
    t.equal(out.signals.ip.is_tor, true)
    const tor = out.reasons.find((r: { rule: string }) => r.rule === 'tor_exit')
    t.ok(tor, 'tor_exit fired')
    t.same(tor.values, { 'ip.is_tor': true })
  })

  t.test('81.2.69.160 shows every anonymizer flag and fires the matching rules', async (t) => {
    const out = (await post(charge({ ip: '81.2.69.160' }))).json()
    for (const flag of ['is_tor', 'is_hosting', 'is_vpn', 'is_proxy', 'is_residential_proxy', 'is_anonymous']) {
      t.equal(out.signals.ip[flag], true, flag)
    }
    const fired = out.reasons.map((r: { rule: string }) => r.rule)
    for (const rule of ['tor_exit', 'hosting_ip', 'public_proxy_or_vpn', 'residential_proxy']) t.ok(fired.includes(rule), rule)
    t.equal(out.decision, 'block')
  })

  t.test('the 6th charge from one IP sees 6; a retry counts once and returns the stored decision', async (t) => {
    const ip = '1.128.0.66'
    let last
    let lastBody
    for (let i = 0; i < 6; i++) {
      lastBody = charge({ ip, card: { fingerprint: `fp_v${i}`, country: 'AU' } })
      last = (await post(lastBody)).json()
    }
    t.equal(last.signals.velocity.charges_per_ip_1h, 6)
    t.ok(last.reasons.some((r: { rule: string }) => r.rule === 'ip_velocity'), 'ip_velocity fired')
    const retried = (await post(lastBody)).json()
    t.equal(retried.decision_id, last.decision_id, 'same decision_id')
    t.equal(retried.replayed, true)
    const next = (await post(charge({ ip }))).json()
    t.equal(next.signals.velocity.charges_per_ip_1h, 7, 'the retry was not counted')
  })

  t.test('unknown inputs skip rules instead of firing them', async (t) => {
    const body = charge()
    delete body.card
    delete body.billing
    const out = (await post(body)).json()
    t.notOk(out.reasons.some((r: { rule: string }) => r.rule === 'ip_card_country_mismatch'))
    t.ok(out.skipped.some((s: { rule: string, unknown: string[] }) => s.rule === 'ip_card_country_mismatch' && s.unknown.includes('card.country')))
  })

  t.test('IPv4-mapped IPv6 is unmapped; private addresses are never looked up', async (t) => {
    const mapped = (await post(charge({ ip: '::ffff:1.128.0.10' }))).json()
    t.equal(mapped.signals.ip.address, '1.128.0.10')
    t.equal(mapped.signals.ip.country, 'AU')
    const priv = (await post(charge({ ip: '192.168.1.10' }))).json()
    t.equal(priv.signals.ip.is_private, true)
    t.equal(priv.signals.ip.country, undefined, 'no country for a private address (the fixture maps it to AU)')
  })

  t.test('free text is scrubbed of card numbers before anything is stored or logged', async (t) => {
    const pan = '4242 4242 4242 4242'
    const res = await post(charge({ description: `gift for ${pan}`, metadata: { note: 'card 4111111111111111' } }))
    t.equal(res.statusCode, 200)
    t.notMatch(res.body, /4242 4242 4242 4242|4111111111111111/)
    t.notMatch(logs.join(''), /4242 4242 4242 4242|4111111111111111/)
  })

  const bad: Array<[string, unknown, number, string, string?]> = [
    ['unknown field', { ...charge(), coupon: 'x' }, 400, 'unknown_field', '/coupon'],
    ['card number field', { ...charge(), card: { number: '4242424242424242' } }, 400, 'card_data_not_allowed_tokenize_first', '/card/number'],
    ['cvv', { ...charge(), card: { bin: '424242', cvv: '123' } }, 400, 'card_data_not_allowed_tokenize_first', '/card/cvv'],
    ['pan at top level', { ...charge(), pan: '4242424242424242' }, 400, 'card_data_not_allowed_tokenize_first', '/pan'],
    ['full PAN in bin', { ...charge(), card: { bin: '4242424242424242' } }, 400, 'card_data_not_allowed_tokenize_first', '/card/bin'],
    ['amount as a string (no coercion)', { ...charge(), amount: '100' }, 400, 'validation_failed', '/amount'],
    ['negative amount', { ...charge(), amount: -1 }, 400, 'validation_failed', '/amount'],
    ['missing charge_id', (() => { const c = charge(); delete c.charge_id; return c })(), 400, 'validation_failed', '/charge_id'],
    ['bad currency', { ...charge(), currency: 'BAHT' }, 400, 'validation_failed', '/currency'],
    ['invalid ip', { ...charge(), ip: '999.1.1.1' }, 400, 'validation_failed', '/ip'],
    ['bad country code', { ...charge(), card: { country: 'THA' } }, 400, 'validation_failed', '/card/country'],
    ['invalid JSON', '{"charge_id": ', 400, 'invalid_json'],
    ['body over 16 KiB', { ...charge(), description: 'x'.repeat(17 * 1024) }, 413, 'body_too_large']
  ]
  for (const [name, body, status, code, path] of bad) {
    t.test(`refuses ${name}`, async (t) => {
      const res = await post(body)
      t.equal(res.statusCode, status)
      const out = res.json()
      t.equal(out.error.code, code)
      t.type(out.error.message, 'string')
      if (path !== undefined) t.ok(out.error.details.some((d: { path: string }) => d.path === path), `details name ${path}`)
      t.notMatch(res.body, /4242424242424242|"123"/, 'never echoes card data')
    })
  }

  t.test('refuses a body that is not JSON', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { ...scoreAuth, 'content-type': 'text/plain' }, payload: 'hello' })
    t.equal(res.statusCode, 415)
    t.equal(res.json().error.code, 'unsupported_media_type')
  })

  t.test('authentication and scopes', async (t) => {
    const none = await app.inject({ method: 'POST', url: '/v1/score', headers: json, payload: JSON.stringify(charge()) })
    t.equal(none.statusCode, 401)
    t.equal(none.json().error.code, 'unauthorized')
    const wrong = await post(charge(), { authorization: 'Bearer not-a-key' })
    t.equal(wrong.statusCode, 401)
    const scope = await post(charge(), analystAuth)
    t.equal(scope.statusCode, 403)
    t.equal(scope.json().error.code, 'forbidden')
  })

  t.test('logs carry ids, never bodies, emails, IPs or secrets', async (t) => {
    const all = logs.join('')
    t.match(all, /"decision_id"/)
    t.match(all, /"key_id":"merchant"/)
    t.notMatch(all, /somchai@example/)
    t.notMatch(all, /1\.128\.0\.10/)
    t.notMatch(all, /test-secret-score/)
    t.notMatch(all, /fp_abc/)
  })
})

t.test('unknown routes answer the error shape', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/nope' })
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, 'not_found')
})
