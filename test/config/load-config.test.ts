import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig } from '../../src/config/load-config.js'
import { findApiKey, sha256 } from '../../src/auth/api-keys.js'

const stateDir = (t: { teardown: (fn: () => void) => void }): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return path.join(dir, 'state')
}

t.test('defaults: development key and hash key created once, secret only in a 0600 file', async (t) => {
  const dir = stateDir(t)
  const first = await loadConfig({ RISKGATE_DEV_STATE_DIR: dir })
  t.equal(first.config.host, '127.0.0.1')
  t.equal(first.config.port, 8080)
  t.equal(first.config.rulesDir, './rules')
  t.same(first.config.redis, {})
  t.equal(first.config.apiKeys.length, 1)
  t.ok(first.devKeyFile)
  const secret = readFileSync(first.devKeyFile as string, 'utf8').trim()
  t.equal(findApiKey(first.config.apiKeys, secret)?.id, 'dev')
  t.equal(statSync(first.devKeyFile as string).mode & 0o777, 0o600)
  for (const w of first.warnings) t.notMatch(w, secret, 'the secret is never in a message')
  const second = await loadConfig({ RISKGATE_DEV_STATE_DIR: dir })
  t.equal(second.config.hashKey, first.config.hashKey, 'the hash key survives restarts')
  t.equal(findApiKey(second.config.apiKeys, secret)?.id, 'dev', 'so does the key')
  t.ok(first.config.data.countryDb, 'bundled country data by default')
})

t.test('configured values', async (t) => {
  const { config, warnings, devKeyFile } = await loadConfig({
    NODE_ENV: 'production',
    RISKGATE_PORT: '9090',
    RISKGATE_API_KEYS: `a:score:${sha256('s').toString('hex')}`,
    RISKGATE_HASH_KEY: 'k'.repeat(40),
    RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001',
    RISKGATE_OMISE_WEBHOOK_SECRETS: Buffer.from('one').toString('base64') + ',' + Buffer.from('two').toString('base64'),
    RISKGATE_MMDB_ANONYMOUS: '/data/anon.mmdb'
  })
  t.equal(config.port, 9090)
  t.equal(devKeyFile, undefined)
  t.same(config.redis.clusterNodes, ['127.0.0.1:7000', '127.0.0.1:7001'])
  t.same(config.omiseWebhookSecrets.map((b) => b.toString()), ['one', 'two'])
  t.equal(config.data.anonymousDb, '/data/anon.mmdb')
  t.same(warnings, [])
})

const refused: Array<[string, Record<string, string>, RegExp]> = [
  ['production without API keys', { NODE_ENV: 'production', RISKGATE_HASH_KEY: 'k'.repeat(40) }, /RISKGATE_API_KEYS is required/],
  ['production without a hash key', { NODE_ENV: 'production', RISKGATE_API_KEYS: `a:score:${sha256('s').toString('hex')}` }, /RISKGATE_HASH_KEY/],
  ['a port that is not a number', { RISKGATE_PORT: 'http' }, /RISKGATE_PORT/],
  ['a short hash key', { RISKGATE_HASH_KEY: 'short' }, /RISKGATE_HASH_KEY/],
  ['both Redis URL and cluster', { RISKGATE_REDIS_URL: 'redis://127.0.0.1:6379', RISKGATE_REDIS_CLUSTER_NODES: '127.0.0.1:7000' }, /not RISKGATE_REDIS_URL and RISKGATE_REDIS_CLUSTER_NODES/],
  ['a Redis URL of another scheme', { RISKGATE_REDIS_URL: 'http://x' }, /RISKGATE_REDIS_URL/],
  ['a bad API key entry', { RISKGATE_API_KEYS: 'a:score:nothex' }, /RISKGATE_API_KEYS entry 1/],
  ['an unknown log level', { RISKGATE_LOG_LEVEL: 'loud' }, /RISKGATE_LOG_LEVEL/],
  ['a decision log format that is not 2 or 3', { RISKGATE_DECISION_LOG_FORMAT: '1' }, /RISKGATE_DECISION_LOG_FORMAT/],
  ['a decision log format that is not 2 or 3', { RISKGATE_DECISION_LOG_FORMAT: '4' }, /RISKGATE_DECISION_LOG_FORMAT/]
]
for (const [name, env, message] of refused) {
  t.test(`refuses ${name}`, async (t) => {
    await t.rejects(loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), ...env }), ConfigError)
    await t.rejects(loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), ...env }), { message })
  })
}

t.test('the decision log\'s format: 3 unless set to 2, for a rolling upgrade', async (t) => {
  t.equal((await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t) })).config.decisionLog?.format, 3)
  t.equal((await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), RISKGATE_DECISION_LOG_FORMAT: '2' })).config.decisionLog?.format, 2)
})

t.test('an empty setting is an unset one: its default applies', async (t) => {
  const dir = stateDir(t)
  const { config } = await loadConfig({
    RISKGATE_DEV_STATE_DIR: dir,
    RISKGATE_PORT: '',
    RISKGATE_MMDB_COUNTRY: '',
    RISKGATE_REDIS_URL: '',
    RISKGATE_LOG_LEVEL: ''
  })
  t.equal(config.port, 8080)
  t.equal(config.logLevel, 'info')
  t.same(config.redis, {})
  t.ok(config.data.countryDb?.endsWith('.mmdb'), 'the bundled country data')
  await t.rejects(loadConfig({ RISKGATE_DEV_STATE_DIR: dir, RISKGATE_PORT: 'x' }), ConfigError, 'a value that is not empty is still validated')
})

const WEBHOOK_SECRET = 'whsec-test-0123456789abcdef0123456789abcdef'

t.test('merchant webhooks: the URL and its secret, never echoed', async (t) => {
  const { config, warnings } = await loadConfig({
    RISKGATE_DEV_STATE_DIR: stateDir(t),
    RISKGATE_MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks/riskgate',
    RISKGATE_MERCHANT_WEBHOOK_SECRET: WEBHOOK_SECRET
  })
  t.same(config.merchantWebhook, { url: 'https://shop.example/hooks/riskgate', secret: WEBHOOK_SECRET })
  for (const w of warnings) t.notMatch(w, WEBHOOK_SECRET)
  const none = await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t) })
  t.equal(none.config.merchantWebhook, undefined, 'unset: no merchant webhooks')
  const alone = await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), RISKGATE_MERCHANT_WEBHOOK_SECRET: WEBHOOK_SECRET })
  t.equal(alone.config.merchantWebhook, undefined)
  t.match(alone.warnings.join('\n'), /RISKGATE_MERCHANT_WEBHOOK_SECRET is set without RISKGATE_MERCHANT_WEBHOOK_URL/)
  const plain = await loadConfig({
    NODE_ENV: 'production',
    RISKGATE_API_KEYS: `a:score:${sha256('s').toString('hex')}`,
    RISKGATE_HASH_KEY: 'k'.repeat(40),
    RISKGATE_MERCHANT_WEBHOOK_URL: 'http://10.0.0.5:8000/riskgate',
    RISKGATE_MERCHANT_WEBHOOK_SECRET: WEBHOOK_SECRET
  })
  t.match(plain.warnings.join('\n'), /plain http/, 'plain http in production is allowed with a warning')
})

const refusedWebhooks: Array<[string, Record<string, string>, RegExp]> = [
  ['a webhook URL without its secret', { RISKGATE_MERCHANT_WEBHOOK_URL: 'https://shop.example/hook' }, /RISKGATE_MERCHANT_WEBHOOK_SECRET .*is required/],
  ['a webhook URL of another scheme', { RISKGATE_MERCHANT_WEBHOOK_URL: 'ftp://shop.example/hook', RISKGATE_MERCHANT_WEBHOOK_SECRET: WEBHOOK_SECRET }, /RISKGATE_MERCHANT_WEBHOOK_URL/],
  ['a webhook URL that does not parse', { RISKGATE_MERCHANT_WEBHOOK_URL: 'https://exa mple/hook', RISKGATE_MERCHANT_WEBHOOK_SECRET: WEBHOOK_SECRET }, /RISKGATE_MERCHANT_WEBHOOK_URL/],
  ['a short webhook secret', { RISKGATE_MERCHANT_WEBHOOK_URL: 'https://shop.example/hook', RISKGATE_MERCHANT_WEBHOOK_SECRET: 'too-short-secret-0123' }, /RISKGATE_MERCHANT_WEBHOOK_SECRET/]
]
for (const [name, env, message] of refusedWebhooks) {
  t.test(`refuses ${name}, and the message quotes no value`, async (t) => {
    const err = await loadConfig({ RISKGATE_DEV_STATE_DIR: stateDir(t), ...env }).then(() => undefined, (e: unknown) => e)
    t.type(err, ConfigError)
    t.match((err as Error).message, message)
    for (const value of Object.values(env)) t.notOk((err as Error).message.includes(value), 'no value quoted')
  })
}
