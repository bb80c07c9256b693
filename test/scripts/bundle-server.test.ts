import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '../../src/auth/api-keys.js'
import { bundleServer } from '../../scripts/bundle-server.js'
import { freePort } from '../helpers/redis.js'
import { rootDir } from '../helpers/test-data.js'
import { startServerProcess } from '../helpers/server-process.js'

const SECRET = 'test-secret-bundle-0123456789abcdef'

t.test('the bundled server (what npm start runs) starts, scores a charge and flushes its log on SIGTERM', async (t) => {
  // written inside the project, as dist/riskgate-server.mjs is: the server finds its data from there
  const outfile = path.join(rootDir, 'dist', `riskgate-server.test-${process.pid}.mjs`)
  t.teardown(() => rmSync(outfile, { force: true }))
  const bundle = await bundleServer(outfile)
  t.ok(bundle.modules > 100, `one file holds the server and its dependencies (${bundle.modules} modules)`)

  const state = mkdtempSync(path.join(tmpdir(), 'riskgate-bundle-'))
  t.teardown(() => rmSync(state, { recursive: true, force: true }))
  const port = await freePort()
  const server = startServerProcess(t, [outfile], {
    NODE_ENV: 'production',
    RISKGATE_HOST: '127.0.0.1',
    RISKGATE_PORT: String(port),
    RISKGATE_API_KEYS: `checkout:score:${sha256(SECRET).toString('hex')}`,
    RISKGATE_HASH_KEY: 'test-hash-key-bundle-0123456789abcdef',
    RISKGATE_DEV_STATE_DIR: state,
    // about the bundle: a test machine busy enough to hold the event loop up must not shed its request
    RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0'
  })
  const base = `http://127.0.0.1:${port}`
  await server.until(async () => (await fetch(`${base}/readyz`)).ok, 'the bundled server start')

  const response = await fetch(`${base}/v1/score`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ charge_id: 'bundle_1', amount: 125000, currency: 'THB', ip: '8.8.8.8', email: 'a@mailinator.com', card: { country: 'TH' } })
  })
  t.equal(response.status, 200)
  const body = await response.json() as { decision: string, signals: { ip: { country?: string, asn?: number }, email?: { is_disposable: boolean } }, reasons: Array<{ rule: string }> }
  t.match(body, { decision: 'allow', signals: { ip: { country: 'US', asn: 15169 }, email: { is_disposable: true } } }, 'the bundled data and the default rules')
  t.same(body.reasons.map((r) => r.rule).sort(), ['disposable_email', 'ip_card_country_mismatch'])

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'SIGTERM closes it cleanly')
  t.match(server.output(), /"msg":"closing"/, 'the last log line is written before the process exits')
  t.notMatch(server.output(), new RegExp(SECRET), 'the API secret is never logged')
})
