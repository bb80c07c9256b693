import t from 'tap'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import Fastify from 'fastify'
import { buildApp } from '../../src/app.js'
import { rulesPlugin } from '../../src/plugins/rules.js'
import { RuleSetError } from '../../src/ruleset/rule-set-error.js'
import { testConfig, testData } from '../helpers/app.js'

const ruleset = (version: string, when = 'ip.is_tor') =>
  `version: "${version}"\nthresholds: { review: 50, block: 80 }\nrules:\n  - id: tor\n    when: ${when}\n    score: 60\n`

t.test('loads the rule set at registration and exposes it as fastify.rules.current', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': ruleset('v1') })
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(rulesPlugin, { rulesDir: dir })
  await app.ready()
  t.equal(app.rules.current.version, 'v1')
  t.equal(app.rules.current.rules.length, 1)
  t.equal(app.rules.rulesDir, dir)
})

t.test('reload swaps the set; a broken set throws and the old one stays live', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': ruleset('v1') })
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(rulesPlugin, { rulesDir: dir })
  await app.ready()
  const first = app.rules.current

  await writeFile(path.join(dir, 'ruleset.yaml'), ruleset('v2'))
  const [a, b] = await Promise.all([app.rules.reload(), app.rules.reload()])
  t.equal(a, b, 'concurrent reloads share one load')
  t.equal(app.rules.current.version, 'v2')
  t.not(app.rules.current.hash, first.hash)

  await writeFile(path.join(dir, 'ruleset.yaml'), ruleset('v3', 'ip.is_tor +'))
  await t.rejects(app.rules.reload(), RuleSetError)
  t.equal(app.rules.current.version, 'v2', 'the last good set stays live')
})

t.test('a rule set with errors stops the app from starting', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': ruleset('v1', 'ip.is_torr') })
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  app.register(rulesPlugin, { rulesDir: dir })
  await t.rejects(async () => { await app.ready() }, { name: 'RuleSetError', message: /ruleset\.yaml:5:14 rule tor: type error: No such key: is_torr/ })
})

t.test('a rule set with a lint error stops the app from starting, as `rules check` fails it', async (t) => {
  // compiles, but can never fire: riskgate's currencies are upper-case
  const dir = t.testdir({ 'ruleset.yaml': ruleset('v1', 'currency == "thb"') })
  const logs: string[] = []
  await t.rejects(buildApp(testConfig(testData(t), { rulesDir: dir }), { logStream: { write: (line) => { logs.push(line) } } }), {
    name: 'RuleSetError',
    message: /^the rule set has errors \(1\):\n.*ruleset\.yaml:5:11 rule tor: can never fire: currency is compared with "thb".* \[never_fires\]$/
  })
})

t.test('a rule set with warnings only loads', async (t) => {
  // fires on every charge whose inputs are known (always_fires), declares an unused counter (unused_counter)
  const text = ruleset('v1', 'amount >= 0').replace('rules:', 'velocity:\n  unused: { count: charges, by: ip, window: 1h }\nrules:')
  const dir = t.testdir({ 'ruleset.yaml': text })
  const app = await buildApp(testConfig(testData(t), { rulesDir: dir }), { logStream: { write: () => {} } })
  t.teardown(() => app.close())
  t.equal(app.rules.current.version, 'v1')
})
