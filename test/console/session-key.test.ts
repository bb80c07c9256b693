import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { consoleSessionKeyOf, developmentSessionKey, parseSessionKey } from '../../src/console/session-key.js'
import { ConfigError, loadConfig } from '../../src/config/load-config.js'

t.test('RISKGATE_CONSOLE_SESSION_KEY: 32+ bytes as hex or base64, derived to the 32-byte cookie key', async (t) => {
  const bytes = randomBytes(32)
  const fromHex = parseSessionKey(bytes.toString('hex'))
  t.equal(fromHex.length, 32)
  t.same(parseSessionKey(bytes.toString('base64')), fromHex, 'the same secret as base64')
  t.same(parseSessionKey(bytes.toString('base64url')), fromHex, 'and as base64url')
  t.notSame(fromHex, bytes, 'derived, not the secret itself')
  t.equal(parseSessionKey(randomBytes(64).toString('base64')).length, 32, 'a longer secret is used whole')
  for (const bad of [randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'not a key!', '']) {
    t.throws(() => parseSessionKey(bad), /at least 32 random bytes/)
  }
  const short = 'c2hvcnQ='
  try {
    parseSessionKey(short)
  } catch (err) {
    t.notMatch((err as Error).message, short, 'the message never quotes the value')
  }
})

t.test('without a configured key: derived from the hash key outside production, none in production', async (t) => {
  const hashKey = 'dev-hash-key-0123456789abcdef0123456789'
  const dev = consoleSessionKeyOf({ env: 'development', hashKey })
  t.same(dev, developmentSessionKey(hashKey), 'deterministic: sessions survive a restart')
  t.notSame(dev, developmentSessionKey(`${hashKey}x`))
  t.equal(consoleSessionKeyOf({ env: 'production', hashKey }), undefined)
  const configured = parseSessionKey(randomBytes(32).toString('hex'))
  t.same(consoleSessionKeyOf({ env: 'production', hashKey, consoleSessionKey: configured }), configured)
})

t.test('loadConfig reads it, and refuses a short one without quoting it', async (t) => {
  const state = mkdtempSync(path.join(tmpdir(), 'riskgate-console-key-'))
  t.teardown(() => rmSync(state, { recursive: true, force: true }))
  const secret = randomBytes(32).toString('base64')
  const { config } = await loadConfig({ RISKGATE_DEV_STATE_DIR: state, RISKGATE_CONSOLE_SESSION_KEY: secret })
  t.same(config.consoleSessionKey, parseSessionKey(secret))
  const unset = await loadConfig({ RISKGATE_DEV_STATE_DIR: state })
  t.equal(unset.config.consoleSessionKey, undefined, 'unset: resolved when the app is built')
  await t.rejects(loadConfig({ RISKGATE_DEV_STATE_DIR: state, RISKGATE_CONSOLE_SESSION_KEY: 'too-short' }), ConfigError)
})
