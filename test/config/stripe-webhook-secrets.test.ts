import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'

t.test('RISKGATE_STRIPE_WEBHOOK_SECRETS: whsec_ secrets, comma-separated; anything else refused', async (t) => {
  const base = { RISKGATE_HASH_KEY: 'k'.repeat(40), RISKGATE_API_KEYS: `a:score:${'0'.repeat(64)}` }
  const { config } = await loadConfig({ ...base, RISKGATE_STRIPE_WEBHOOK_SECRETS: 'whsec_test_one0123456789, whsec_test_two0123456789' })
  t.same(config.stripeWebhookSecrets, ['whsec_test_one0123456789', 'whsec_test_two0123456789'])
  t.equal((await loadConfig(base)).config.stripeWebhookSecrets, undefined, 'unset: none')
  await t.rejects(loadConfig({ ...base, RISKGATE_STRIPE_WEBHOOK_SECRETS: 'whsec_test_one0123456789,sk_test_notasecret' }), /RISKGATE_STRIPE_WEBHOOK_SECRETS entry 2/)
})
