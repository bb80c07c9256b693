import t from 'tap'
import { verifyBasicAuth } from '../../../src/webhooks/adyen/basic-auth.js'

const EXPECTED = 'adyen-notifier:s3cret:with:colons'
const header = (credentials: string, scheme = 'Basic'): string => `${scheme} ${Buffer.from(credentials, 'utf8').toString('base64')}`

t.test('the username and password Adyen sends, as RFC 7617 encodes them', async (t) => {
  t.same(verifyBasicAuth(header(EXPECTED), EXPECTED), { ok: true })
  t.same(verifyBasicAuth(header(EXPECTED, 'basic'), EXPECTED), { ok: true }, 'the scheme is case-insensitive')
  t.same(verifyBasicAuth(header('nöel:pässword'), 'nöel:pässword'), { ok: true }, 'UTF-8')
})

t.test('refusals', async (t) => {
  t.same(verifyBasicAuth(undefined, EXPECTED), { ok: false, reason: 'missing' })
  t.same(verifyBasicAuth('', EXPECTED), { ok: false, reason: 'missing' })
  t.same(verifyBasicAuth(`Bearer ${Buffer.from(EXPECTED).toString('base64')}`, EXPECTED), { ok: false, reason: 'malformed' })
  t.same(verifyBasicAuth('Basic not base64!', EXPECTED), { ok: false, reason: 'malformed' })
  t.same(verifyBasicAuth(header('adyen-notifier:s3cret:with:colonz'), EXPECTED), { ok: false, reason: 'mismatch' }, 'the password')
  t.same(verifyBasicAuth(header('adyen-notifiex:s3cret:with:colons'), EXPECTED), { ok: false, reason: 'mismatch' }, 'the username')
  t.same(verifyBasicAuth(header(`${EXPECTED}x`), EXPECTED), { ok: false, reason: 'mismatch' }, 'longer')
  t.same(verifyBasicAuth(header('adyen-notifier'), EXPECTED), { ok: false, reason: 'mismatch' }, 'a prefix')
})
