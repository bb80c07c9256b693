import t from 'tap'
import fc from 'fast-check'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { allPages, BLOCKED_EMAIL, closeReview, get, idSet, inTimeOrder, post, score, uniqueCharge } from '../helpers/analyst.js'

interface Summary {
  decision_id: string
  charge_id: string
  at: string
  decision: string
  reasons: Array<{ rule: string, description: string }>
  outcome?: { label: string }
}

/** the ids of a search's answer, sorted (one millisecond's decisions come in any order), after checking it is newest first */
function ids (res: { json: () => { decisions: Summary[] } }): string[] {
  const decisions = res.json().decisions
  if (!inTimeOrder(decisions, 'newest')) throw new Error('not newest first')
  return idSet(decisions)
}

t.test('search filters: decision, rule, outcome, time, charge id; newest first; every filter must hold', async (t) => {
  const { app } = await buildTestApp(t)
  const allowed = await score(app, uniqueCharge('allow'))
  const review = await score(app, uniqueCharge('review'))
  const blocked = await score(app, uniqueCharge('allow', { email: BLOCKED_EMAIL }))
  const review2 = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  t.equal((await post(app, `/v1/decisions/${allowed.decision_id}/outcome`, { label: 'fraud' }, scoreAuth)).statusCode, 200)
  t.equal((await closeReview(app, review.decision_id, { action: 'approve' })).statusCode, 200)

  const all = await get(app, '/v1/decisions')
  t.equal(all.statusCode, 200)
  t.same(ids(all), idSet([review2, blocked, review, allowed].map((d) => d.decision_id)), 'newest first')
  t.equal(all.json().next_cursor, undefined)

  t.same(ids(await get(app, '/v1/decisions?decision=review')), idSet([review2.decision_id, review.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?decision=block')), idSet([blocked.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?rule=blocked_email')), idSet([blocked.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?rule=hosting_ip')), idSet([review2.decision_id, review.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?rule=hosting_ip&decision=block')), idSet([]), 'both must hold')
  t.same(ids(await get(app, '/v1/decisions?rule=no_such_rule')), idSet([]))
  t.same(ids(await get(app, '/v1/decisions?outcome=fraud')), idSet([allowed.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?outcome=review_approved')), idSet([review.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?outcome=none')), idSet([review2.decision_id, blocked.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?outcome=none&decision=review')), idSet([review2.decision_id]))

  const summaries = all.json().decisions as Summary[]
  const blockedAt = summaries.find((s) => s.decision_id === blocked.decision_id)?.at as string
  const fromBlocked = ids(await get(app, `/v1/decisions?from=${encodeURIComponent(blockedAt)}`))
  t.same(fromBlocked, idSet(summaries.filter((s) => Date.parse(s.at) >= Date.parse(blockedAt))), 'from included')
  const toBlocked = ids(await get(app, `/v1/decisions?to=${encodeURIComponent(blockedAt)}`))
  t.same(toBlocked, idSet(summaries.filter((s) => Date.parse(s.at) < Date.parse(blockedAt))), 'to excluded')
  t.same(ids(await get(app, '/v1/decisions?to=2020-01-01')), idSet([]))
  t.equal(ids(await get(app, '/v1/decisions?from=2020-01-01')).length, 4, 'a date alone')

  t.same(ids(await get(app, `/v1/decisions?charge_id=${encodeURIComponent(blocked.charge_id)}`)), idSet([blocked.decision_id]))
  t.same(ids(await get(app, `/v1/decisions?charge_id=${encodeURIComponent(blocked.charge_id)}&decision=block`)), idSet([blocked.decision_id]))
  t.same(ids(await get(app, `/v1/decisions?charge_id=${encodeURIComponent(blocked.charge_id)}&decision=allow`)), idSet([]), 'the other filters hold for a charge id too')
  t.same(ids(await get(app, `/v1/decisions?charge_id=${encodeURIComponent(blocked.charge_id)}&to=2020-01-01`)), idSet([]))
  t.same(ids(await get(app, '/v1/decisions?charge_id=ch_never_scored')), idSet([]))
  await app.decisionLog.store.linkCharge('chrg_test_gateway_1', review.decision_id)
  t.same(ids(await get(app, '/v1/decisions?charge_id=chrg_test_gateway_1')), idSet([review.decision_id]), 'a linked gateway charge id')

  const summary = (all.json().decisions as Summary[]).find((s) => s.decision_id === allowed.decision_id) as Summary
  t.equal(summary.outcome?.label, 'fraud', 'the summary has the latest outcome')
})

t.test('identifier filters take the raw value, normalized as scoring does, and match the recorded digests', async (t) => {
  const { app, logs } = await buildTestApp(t)
  const email = 'Ploy.Search+Target@Example.ORG'
  const a = await score(app, charge({ email, ip: '1.128.0.77', customer_id: 'cus_search_a', card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: 'fp_search_a' } }))
  const b = await score(app, charge({ email: 'ploy.search+target@example.org', ip: '::ffff:1.128.0.77', customer_id: 'cus_search_b' }))
  const other = await score(app, charge({ email: 'someone.else@example.org', ip: '1.128.0.78', customer_id: 'cus_search_c', card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: 'fp_search_c' } }))
  await app.outbox.flush()
  const both = [b.decision_id, a.decision_id]
  for (const query of ['PLOY.search+target@example.org', ' ploy.search+target@example.org ', email]) {
    const res = await get(app, `/v1/decisions?email=${encodeURIComponent(query)}`)
    t.equal(res.statusCode, 200)
    t.same(ids(res), idSet(both), `email ${query.length}`)
    t.notOk(res.body.toLowerCase().includes('ploy.search'), 'the answer holds no address')
  }
  t.same(ids(await get(app, `/v1/decisions?ip=${encodeURIComponent('1.128.0.77')}`)), idSet(both))
  t.same(ids(await get(app, `/v1/decisions?ip=${encodeURIComponent('::ffff:1.128.0.77')}`)), idSet(both), 'an IPv4-mapped address is its IPv4 address')
  t.same(ids(await get(app, `/v1/decisions?ip=${encodeURIComponent('1.128.0.78')}`)), idSet([other.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?customer_id=cus_search_a')), idSet([a.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?customer_id=CUS_SEARCH_A')), idSet([]), 'ids are matched exactly')
  t.same(ids(await get(app, '/v1/decisions?card_fingerprint=fp_search_c')), idSet([other.decision_id]))
  t.same(ids(await get(app, '/v1/decisions?card_fingerprint=fp_search_c&decision=block')), idSet([]))
  t.same(ids(await get(app, `/v1/decisions?email=${encodeURIComponent(email)}&charge_id=${encodeURIComponent(a.charge_id)}`)), idSet([a.decision_id]))
  t.same(ids(await get(app, `/v1/decisions?email=${encodeURIComponent(email)}&charge_id=${encodeURIComponent(other.charge_id)}`)), idSet([]))
  t.same(ids(await get(app, '/v1/decisions?email=nobody%40example.org')), idSet([]))

  const two = await get(app, '/v1/decisions?email=a%40example.org&ip=1.128.0.77')
  t.equal(two.statusCode, 400, 'one identifier filter a request')
  t.equal(two.json().error.code, 'validation_failed')
  const badIp = await get(app, `/v1/decisions?ip=${encodeURIComponent('1.128.0.999')}`)
  t.equal(badIp.statusCode, 400)
  t.equal(badIp.json().error.code, 'validation_failed')
  t.notOk(badIp.body.includes('1.128.0.999'), 'the value is not echoed')
  const badEmail = await get(app, `/v1/decisions?email=${encodeURIComponent('Ploy.Search no at sign')}`)
  t.equal(badEmail.statusCode, 400)
  t.notOk(badEmail.body.includes('Ploy'), 'the value is not echoed')

  const logged = logs.join('\n')
  for (const raw of ['ploy.search', 'Ploy.Search', 'PLOY', '1.128.0.77', '1.128.0.78', '1.128.0.999', 'cus_search', 'fp_search', 'nobody']) {
    t.notOk(logged.includes(raw), `never logged: ${raw}`)
  }
  t.ok(logs.some((line) => line.includes('"route":"/v1/decisions"')), 'the searches were logged, by route')
})

t.test('search pages through cursors to the end; a cursor is refused with other filters', async (t) => {
  const { app } = await buildTestApp(t)
  const scored: string[] = []
  for (let i = 0; i < 9; i++) scored.push((await score(app, uniqueCharge(i % 3 === 0 ? 'review' : 'allow'))).decision_id)
  await app.outbox.flush()
  const every = await allPages<Summary>(app, '/v1/decisions?limit=2', 'decisions')
  t.same(every.items.map((d) => d.decision_id).sort(), idSet(scored), 'each decision once')
  t.ok(inTimeOrder(every.items, 'newest'), 'newest first')
  t.ok(every.pages >= 5)
  const reviews = await allPages<Summary>(app, '/v1/decisions?limit=1&decision=review', 'decisions')
  t.same(reviews.items.map((d) => d.decision_id).sort(), idSet(scored.filter((_id, i) => i % 3 === 0)))
  t.ok(inTimeOrder(reviews.items, 'newest'))

  const first = (await get(app, '/v1/decisions?limit=2&decision=review')).json<{ next_cursor: string }>()
  t.type(first.next_cursor, 'string')
  for (const other of ['', '&decision=allow', '&decision=review&rule=hosting_ip', '&decision=review&email=a%40example.org', '&decision=review&from=2020-01-01']) {
    const res = await get(app, `/v1/decisions?limit=2${other}&cursor=${encodeURIComponent(first.next_cursor)}`)
    t.equal(res.statusCode, 400, `cursor with other filters: ${other}`)
    t.equal(res.json().error.code, 'invalid_cursor')
  }
  const charged = await get(app, `/v1/decisions?charge_id=x&cursor=${encodeURIComponent(first.next_cursor)}`)
  t.equal(charged.json().error.code, 'invalid_cursor')
})

t.test('search refusals: unknown filters and values 400', async (t) => {
  const { app } = await buildTestApp(t)
  for (const bad of ['decision=maybe', 'outcome=paid', 'rule=Not-A-Rule', 'from=yesterday', 'to=2026-13-45', 'limit=0', 'limit=101', 'sort=amount', 'cursor=', 'charge_id=']) {
    const res = await get(app, `/v1/decisions?${bad}`)
    t.equal(res.statusCode, 400, bad)
    t.match(res.json().error.code, /^(validation_failed|unknown_field)$/)
  }
})

t.test('by charge id: the decision with its reasons and review; 404 when none is kept', async (t) => {
  const { app } = await buildTestApp(t)
  const scored = await score(app, uniqueCharge('review'))
  await app.outbox.flush()
  const res = await get(app, `/v1/decisions/by-charge/${encodeURIComponent(scored.charge_id)}`)
  t.equal(res.statusCode, 200)
  const byId = (await get(app, `/v1/decisions/${scored.decision_id}`)).json()
  const body = res.json()
  t.equal(body.decision_id, scored.decision_id)
  t.same(body.reasons, scored.reasons, 'the reasons the answer gave, values included')
  t.same(body.review, { status: 'open', age_seconds: body.review.age_seconds })
  t.same({ ...body, review: undefined }, { ...byId, review: undefined }, 'as GET /v1/decisions/:id answers it')
  await app.decisionLog.store.linkCharge('chrg_test_gateway_2', scored.decision_id)
  t.equal((await get(app, '/v1/decisions/by-charge/chrg_test_gateway_2')).json().decision_id, scored.decision_id)
  const missing = await get(app, '/v1/decisions/by-charge/ch_never_scored')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().error.code, 'decision_not_found')
  t.equal((await get(app, `/v1/decisions/by-charge/${encodeURIComponent(scored.charge_id)}`, scoreAuth)).statusCode, 403)
  t.equal((await get(app, '/v1/decisions', scoreAuth)).statusCode, 403, 'a score key cannot search')
  t.equal((await get(app, '/v1/decisions', {})).statusCode, 401)
})

t.test('property: a search by an identifier finds exactly the decisions scored with it', async (t) => {
  const { app } = await buildTestApp(t)
  let run = 0
  const kinds = ['email', 'customer_id', 'card_fingerprint'] as const
  const token = fc.stringMatching(/^[a-z0-9]{1,12}$/)
  await fc.assert(fc.asyncProperty(
    fc.array(token, { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...kinds)), { minLength: 1, maxLength: 6 }),
    fc.boolean(),
    async (tokens, charges, shout) => {
      run++
      // marked per run: an identifier of one run never occurs in another
      const pool = [...new Set(tokens)].map((tok) => `pr${run}x${tok}`)
      const scoredWith = new Map<string, Map<string, string[]>>()
      for (const [pick, kind] of charges) {
        const id = pool[pick % pool.length] as string
        const value = kind === 'email' ? `${id}@example.net` : id
        const body = charge(kind === 'card_fingerprint'
          ? { card: { bin: '424242', last4: '4242', country: 'AU', fingerprint: value } }
          : { [kind]: value })
        const scored = await score(app, body)
        const byValue = scoredWith.get(kind) ?? new Map<string, string[]>()
        byValue.set(value, [scored.decision_id, ...(byValue.get(value) ?? [])])
        scoredWith.set(kind, byValue)
      }
      await app.outbox.flush()
      for (const kind of kinds) {
        for (const id of pool) {
          const value = kind === 'email' ? `${id}@example.net` : id
          const asked = kind === 'email' && shout ? ` ${value.toUpperCase()} ` : value
          const found = await allPages<Summary>(app, `/v1/decisions?limit=3&${kind}=${encodeURIComponent(asked)}`, 'decisions')
          const expected = idSet(scoredWith.get(kind)?.get(value) ?? [])
          if (!inTimeOrder(found.items, 'newest') || JSON.stringify(idSet(found.items)) !== JSON.stringify(expected)) {
            throw new Error(`${kind}: found ${found.items.length}, scored ${expected.length}`)
          }
        }
      }
    }
  ), { numRuns: 25 })
  t.pass('every generated identifier found exactly its decisions')
})
