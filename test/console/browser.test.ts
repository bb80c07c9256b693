import t from 'tap'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import puppeteer from 'puppeteer-core'
import type { Browser, HTTPResponse, Page } from 'puppeteer-core'
import { ANALYST_SECRET, buildTestApp, charge, rootDir } from '../helpers/app.js'
import { REVIEW_IP, score } from '../helpers/analyst.js'
import { chromiumArgs, findChromium } from '../../scripts/find-chromium.js'
import { startReceiver } from '../helpers/webhook-receiver.js'

const MERCHANT_SECRET = 'merchant-webhook-secret-of-the-console-test-0123'

// The console in a real browser (headless Chromium driven by puppeteer-core), against the whole
// app listening on 127.0.0.1: sign-in, the queue, approving, the decision's page, search, the
// overview and rules pages, sign-out, and what the page must never hold (the key).

const executablePath = findChromium()

if (executablePath === undefined) {
  t.comment('no chromium on the PATH: the console browser tests are skipped (CI installs it: apt-get install chromium)')
  t.plan(0, 'no chromium binary on the PATH')
} else {
  t.test('the console, end to end in a browser', async (t) => {
    // the merchant's backend: a receiver that verifies each event with the README's snippet
    const receiver = await startReceiver(t, { secret: MERCHANT_SECRET })
    // the default rules staged as their own challenger, in shadow: the rules page shows it beside the live set
    const { app, logs } = await buildTestApp(t, {
      merchantWebhook: { url: receiver.url, secret: MERCHANT_SECRET },
      challenger: { rulesDir: path.join(rootDir, 'rules'), rollout: { mode: 'shadow' } }
    })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

    const email = `nattaya.${process.pid}@example.co.th`
    const scored = await score(app, charge({ ip: REVIEW_IP, email }))
    t.equal(scored.decision, 'review', 'the charge is sent to review')
    // a merchant's ids and texts are data, never markup: this one would run script if rendered as HTML
    const markup = `<img src=x onerror="window.pwned=1">${process.pid}`
    const other = await score(app, charge({ ip: REVIEW_IP, charge_id: markup, description: '<script>window.pwned=2</script> gift card' }))
    t.equal(other.decision, 'review', 'a second one waits behind it')

    const browser: Browser = await puppeteer.launch({ executablePath, headless: true, args: chromiumArgs() })
    t.teardown(() => browser.close())
    const page: Page = await browser.newPage()
    await page.setViewport({ width: 1280, height: 900 })
    const problems: string[] = []
    page.on('pageerror', (err) => { problems.push(`page error: ${String(err)}`) })
    // refusals the tests ask for (401, 403) are logged by the browser as failed loads: not problems
    const expected = /^Failed to load resource: the server responded with a status of 40[13] /
    page.on('console', (message) => { if (message.type() === 'error' && !expected.test(message.text())) problems.push(`console error: ${message.text()}`) })

    /** moves the console to a page (a hash route), as a click on the navigation does */
    const go = async (hash: string) => { await page.evaluate(`location.hash = ${JSON.stringify(hash)}`) }
    const answer = (method: string, path: string | RegExp) => page.waitForResponse((r: HTTPResponse) =>
      r.request().method() === method && (typeof path === 'string' ? new URL(r.url()).pathname === path : path.test(new URL(r.url()).pathname)))

    await t.test('the page: strict Content-Security-Policy, the sign-in form', async (t) => {
      const response = await page.goto(`${base}/console`)
      t.equal(response?.status(), 200)
      const csp = response?.headers()['content-security-policy'] ?? ''
      t.match(csp, /default-src 'self'/)
      t.match(csp, /script-src 'self'(;|$)/, 'scripts of the console only, nothing inline')
      t.match(csp, /style-src 'self'(;|$)/, 'styles of the console only, nothing inline')
      t.match(csp, /frame-ancestors 'none'/)
      await page.waitForSelector('#sign-in-key')
      t.ok(await page.$('label[for="sign-in-key"]'), 'the key field has a label')
    })

    await t.test('a wrong key cannot sign in', async (t) => {
      await page.type('#sign-in-key', 'not-a-key-0123456789')
      const refused = answer('POST', '/console/session')
      await page.click('#sign-in-submit')
      const res = await refused
      t.equal(res.status(), 401)
      t.equal((await res.json()).error.code, 'unauthorized')
      const message = await page.waitForSelector('#sign-in-error:not(:empty)')
      t.match(await message?.evaluate((el) => el.textContent), /refused/)
      t.equal(await page.$eval('#sign-in-key', (el) => (el as unknown as { value: string }).value), '', 'the field is emptied')
      t.same(await page.cookies(), [], 'no session cookie')
    })

    await t.test('sign in: an httpOnly, SameSite=Strict session cookie; the queue shows the review', async (t) => {
      await page.type('#sign-in-key', ANALYST_SECRET)
      await page.type('#sign-in-name', 'Nattaya')
      const signedIn = answer('POST', '/console/session')
      const queue = answer('GET', '/v1/reviews')
      await page.click('#sign-in-submit')
      t.equal((await signedIn).status(), 200)
      t.equal((await queue).status(), 200)
      const cookies = await page.cookies()
      const session = cookies.find((c) => c.name === 'riskgate_console')
      t.ok(session, 'the session cookie is set')
      t.equal(session?.httpOnly, true, 'HttpOnly')
      t.equal(session?.sameSite, 'Strict', 'SameSite=Strict')
      t.equal(session?.path, '/')
      t.notMatch(await page.evaluate('document.cookie'), /riskgate_console/, 'scripts cannot read it')
      await page.waitForSelector(`#queue-table tr[data-decision-id="${scored.decision_id}"]`)
      const order = await page.$$eval('#queue-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-decision-id')))
      t.same(order.slice(0, 2), [scored.decision_id, other.decision_id], 'oldest first')
      t.match(await page.$eval('#account-name', (el) => el.textContent), /Nattaya/)
      t.match(await page.$eval('#queue-shortcuts', (el) => el.textContent), /approve/, 'the keyboard shortcuts are shown')
      t.match(await page.$eval(`#queue-table tr[data-decision-id="${other.decision_id}"] .charge-link`, (el) => el.textContent), markup, 'markup in a charge id is shown as text')
      t.equal(await page.$('#queue-table img'), null, 'and makes no element')
    })

    await t.test('the key is nowhere in the page, its storage or its URL', async (t) => {
      const html = await page.content()
      t.notOk(html.includes(ANALYST_SECRET), 'not in the HTML')
      const storage = String(await page.evaluate('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href })'))
      t.notOk(storage.includes(ANALYST_SECRET), 'not in local or session storage, nor the URL')
      t.notOk(logs.join('').includes(ANALYST_SECRET), 'not in a log line')
    })

    await t.test('a state-changing request without the CSRF token is refused', async (t) => {
      const refused = await page.evaluate(async (id) => {
        const res = await fetch(`/v1/reviews/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'reject' }) })
        return { status: res.status, body: await res.json() as { error: { code: string } } }
      }, scored.decision_id)
      t.equal(refused.status, 403)
      t.equal(refused.body.error.code, 'csrf_invalid')
      const forged = await page.evaluate(async (id) => {
        const res = await fetch(`/v1/reviews/${id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': 'forged' }, body: JSON.stringify({ action: 'reject' }) })
        return res.status
      }, scored.decision_id)
      t.equal(forged, 403, 'nor with a token of its own making')
    })

    await t.test('approve by keyboard (a) with a note: the CSRF token is sent, the review leaves the queue', async (t) => {
      const selectedRow = async () => await page.$eval('#queue-table tr.selected', (row) => row.getAttribute('data-decision-id'))
      t.equal(await selectedRow(), scored.decision_id, 'the oldest review is selected')
      await page.keyboard.press('j')
      t.equal(await selectedRow(), other.decision_id, 'j: the next one')
      await page.keyboard.press('k')
      t.equal(await selectedRow(), scored.decision_id, 'k: back')
      await page.keyboard.press('n')
      t.equal(await page.evaluate('document.activeElement.id'), 'review-note', 'n: to the note')
      await page.keyboard.type('called the shopper: genuine')
      await page.keyboard.press('Escape')
      t.equal(await page.evaluate('document.activeElement.closest("tr")?.dataset.decisionId'), scored.decision_id, 'Escape: back to the selected review')
      const closed = answer('POST', `/v1/reviews/${scored.decision_id}`)
      await page.keyboard.press('a')
      const res = await closed
      t.equal(res.status(), 200, 'the request with the CSRF token succeeds')
      t.equal(res.request().headers()['x-csrf-token']?.length !== undefined, true, 'it carried the token')
      const body = await res.json()
      t.match(body, { review: { status: 'closed', closed: { action: 'approve', actor: 'console:analyst', note: 'called the shopper: genuine' } } })
      await page.waitForFunction(`document.querySelector('#queue-table tr[data-decision-id="${scored.decision_id}"]') === null`)
      t.match(await page.$eval('#status', (el) => el.textContent), /Approved/)
      t.ok(await page.$(`#queue-table tr[data-decision-id="${other.decision_id}"].selected`), 'the next review is selected')
    })

    await t.test('the decision page shows the outcome, its history and the reasons with values', async (t) => {
      const read = answer('GET', `/v1/decisions/${scored.decision_id}`)
      await go(`#/decision/${scored.decision_id}`)
      t.equal((await read).status(), 200)
      await page.waitForSelector('#latest-outcome')
      t.match(await page.$eval('#latest-outcome', (el) => el.textContent), /review approved/)
      const history = await page.$eval('#outcomes-table', (el) => el.textContent)
      t.match(history, /console:analyst/, 'the actor')
      t.match(history, /called the shopper: genuine/, 'the note')
      const reasons = await page.$eval('#reasons-table', (el) => el.textContent)
      for (const reason of scored.reasons) t.match(reasons, reason.rule, `reason ${reason.rule}`)
      t.ok(await page.$('#velocity-table'), 'velocity counters')
      t.match(await page.$eval('#review-heading', (el) => el.textContent), /closed/)
    })

    await t.test('search by email finds the decision', async (t) => {
      await go('#/search')
      await page.waitForSelector('#search-identifier')
      await page.select('#search-identifier-kind', 'email')
      await page.type('#search-identifier', email.toUpperCase())
      const searched = answer('GET', '/v1/decisions')
      await page.click('#search-submit')
      const res = await searched
      t.equal(res.status(), 200)
      await page.waitForSelector('#search-table')
      const rows = await page.$$eval('#search-table tbody tr', (trs) => trs.map((tr) => tr.textContent))
      t.equal(rows.length, 1, 'one decision with this email')
      t.match(rows[0], scored.charge_id)
      t.match(rows[0], /review approved/, 'with its outcome')
      t.notOk(page.url().includes('example.co.th'), 'the email is not put in the page URL')
    })

    await t.test('recent decisions, rules and the overview render from the API', async (t) => {
      await go('#/recent')
      await page.waitForSelector('#recent-table')
      t.ok((await page.$$('#recent-table tbody tr')).length >= 2)
      await go(`#/decision/${other.decision_id}`)
      await page.waitForSelector('#reasons-table')
      t.match(await page.$eval('h1', (el) => el.textContent), markup, 'the decision page shows the charge id as text')
      t.match(await page.$eval('main', (el) => el.textContent), '<script>window.pwned=2</script> gift card', 'and the description')
      await app.outbox.flush()
      await go('#/rules')
      await page.waitForSelector('#rules-table')
      t.match(await page.$eval('#rules-table', (el) => el.textContent), /ip_card_country_mismatch/)
      t.match(await page.$eval('#challenger', (el) => el.textContent), /shadow \(never enforced\)/, 'the challenger beside the live set')
      t.match(await page.$eval('#challenger-agreement', (el) => el.textContent), /100\.0% \(\d+ of \d+\)/, 'with its agreement on the recorded charges')
      t.ok(await page.$('#challenger-matrix'), 'and the decision matrix')
      await go('#/overview')
      await page.waitForSelector('svg.chart rect')
      t.ok((await page.$$('svg.chart')).length >= 3, 'charts drawn as inline SVG')
    })

    await t.test('sign out: the API no longer answers the page', async (t) => {
      const out = answer('DELETE', '/console/session')
      await page.click('#sign-out')
      t.equal((await out).status(), 204)
      await page.waitForSelector('#sign-in-key')
      t.notOk((await page.cookies()).some((c) => c.name === 'riskgate_console'), 'the cookie is cleared')
      const status = await page.evaluate(async () => (await fetch('/v1/reviews')).status)
      t.equal(status, 401)
    })

    await t.test('the merchant receives review.opened for each review, then review.closed (approve) for the approved one', async (t) => {
      // two reviews opened, one closed: three events, each verified by the merchant's snippet
      const events = await receiver.waitFor(3)
      t.ok(events.every((e) => e.verified), 'every delivery verifies with the merchant\'s secret')
      const of = (type: string, id: string) => events.filter((e) => e.event?.type === type && e.event.data.decision_id === id)
      t.equal(of('review.opened', scored.decision_id).length, 1)
      t.equal(of('review.opened', other.decision_id).length, 1)
      const closed = of('review.closed', scored.decision_id)
      t.equal(closed.length, 1)
      t.match(closed[0]?.event?.data, { action: 'approve', outcome: 'review_approved', actor: 'console:analyst', charge_id: scored.charge_id })
      const order = events.filter((e) => e.event?.data.decision_id === scored.decision_id).map((e) => e.event?.type)
      t.same(order, ['review.opened', 'review.closed'], 'in order for the decision')
    })

    t.equal(await page.evaluate('window.pwned'), undefined, 'no value of a charge ran as script')
    t.same(problems, [], 'no script error and no Content-Security-Policy violation in the page')
  })
}
