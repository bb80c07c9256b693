import t from 'tap'
import { buildTestApp } from '../helpers/app.js'

t.test('GET /healthz and /readyz need no key and describe what is loaded', async (t) => {
  const { app } = await buildTestApp(t)
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })

  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 200)
  const out = ready.json()
  t.equal(out.status, 'ready')
  t.match(out.rules, { version: String, hash: /^[0-9a-f]{64}$/, rules: Number, loaded_at: String })
  t.same(out.store, { kind: 'in-process', reachable: true, writer_reachable: true })
  const names = out.data.map((d: { name: string }) => d.name).sort()
  t.same(names, ['anonymous', 'asn', 'country', 'hosting', 'tor_exits'])
  for (const source of out.data) {
    t.type(source.built_at, 'string', `${source.name} has a build date`)
    t.type(source.age_days, 'number', `${source.name} has an age`)
  }
})

t.test('a broken rule set never goes live: the app refuses to start', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const path = await import('node:path')
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-badrules-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(path.join(dir, 'ruleset.yaml'), 'version: "x"\nthresholds: { review: 50, block: 80 }\nrules:\n  - id: broken\n    when: ip.country > 3\n    score: 10\n')
  await t.rejects(buildTestApp(t, { rulesDir: dir }), { message: /ruleset\.yaml:5:\d+ rule broken/ })
})
