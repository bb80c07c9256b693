import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'

const base = { RISKGATE_HASH_KEY: 'k'.repeat(40), RISKGATE_API_KEYS: `a:score:${'0'.repeat(64)}` }
const NEW = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056'
const OLD = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'

t.test('RISKGATE_ADYEN_HMAC_KEYS: hex keys, comma-separated, decoded to bytes; unset or empty: the route is off', async (t) => {
  const { config } = await loadConfig({ ...base, RISKGATE_ADYEN_HMAC_KEYS: ` ${NEW} , ${OLD},` })
  t.same(config.adyenWebhook?.hmacKeys.map((k) => k.toString('hex')), [NEW.toLowerCase(), OLD])
  t.equal(config.adyenWebhook?.basicAuth, undefined)
  t.equal((await loadConfig(base)).config.adyenWebhook, undefined)
  t.equal((await loadConfig({ ...base, RISKGATE_ADYEN_HMAC_KEYS: '', RISKGATE_ADYEN_BASIC_AUTH: '' })).config.adyenWebhook, undefined, 'as docker compose passes unset settings')
  for (const bad of ['not-hex-at-all', NEW.slice(1), 'ABCD']) {
    const err = await loadConfig({ ...base, RISKGATE_ADYEN_HMAC_KEYS: `${NEW},${bad}` }).then(() => undefined, (e: Error) => e)
    t.match(err?.message, /RISKGATE_ADYEN_HMAC_KEYS entry 2 is not an Adyen HMAC key/)
    t.notOk(err?.message.includes(bad) === true || err?.message.includes(NEW) === true, 'the message names the entry, not its value')
  }
})

t.test('RISKGATE_ADYEN_BASIC_AUTH: user:password (a colon in the password is fine); without a key: a warning', async (t) => {
  const { config } = await loadConfig({ ...base, RISKGATE_ADYEN_HMAC_KEYS: NEW, RISKGATE_ADYEN_BASIC_AUTH: 'ws_notifier:pa:ss word' })
  t.equal(config.adyenWebhook?.basicAuth, 'ws_notifier:pa:ss word')
  for (const bad of ['no-colon', ':no-user', 'user:', 'user:pass\nword']) {
    const err = await loadConfig({ ...base, RISKGATE_ADYEN_HMAC_KEYS: NEW, RISKGATE_ADYEN_BASIC_AUTH: bad }).then(() => undefined, (e: Error) => e)
    t.match(err?.message, /RISKGATE_ADYEN_BASIC_AUTH must be <username>:<password>/, JSON.stringify(bad))
  }
  const alone = await loadConfig({ ...base, RISKGATE_ADYEN_BASIC_AUTH: 'ws_notifier:secret-password' })
  t.equal(alone.config.adyenWebhook, undefined)
  t.ok(alone.warnings.some((w) => w.includes('RISKGATE_ADYEN_BASIC_AUTH is set without RISKGATE_ADYEN_HMAC_KEYS')))
  t.notOk(alone.warnings.some((w) => w.includes('secret-password')), 'no warning quotes the password')
})
