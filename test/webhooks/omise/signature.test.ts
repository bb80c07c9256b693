import t from 'tap'
import { createHmac } from 'node:crypto'
import { omiseSignature, verifyOmiseSignature } from '../../../src/webhooks/omise/signature.js'

// A known-answer vector computed outside riskgate, following Omise's documented steps:
//   key  = base64-decode(webhook secret)
//   hmac = HMAC-SHA256(key, "<Omise-Signature-Timestamp>.<raw body>"), hex
// printf '%s' "1763769600.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:<hex of the decoded secret>
const SECRET_B64 = 'cmlza2dhdGUtdGVzdC13ZWJob29rLXNlY3JldC0zMmIh'
const TIMESTAMP = '1763769600'
const BODY = '{"object":"event","id":"evnt_test_5xuy4w91xqz7d1w9u0t","key":"charge.complete","data":{"object":"charge","id":"chrg_test_5xuy4vufojaq9jbr0r2","status":"successful","metadata":{"riskgate_decision_id":"DECISION"}}}'
const EXPECTED = 'fec2fd3d39c6a659a9d3a6992764648625533670675709f132226197b56b0f2c'

const secret = Buffer.from(SECRET_B64, 'base64')
const other = Buffer.from('another-secret-of-the-rotation-0', 'utf8')
const body = Buffer.from(BODY, 'utf8')
const now = Number(TIMESTAMP) + 30

const check = (extra: Partial<Parameters<typeof verifyOmiseSignature>[0]>) =>
  verifyOmiseSignature({ body, signature: EXPECTED, timestamp: TIMESTAMP, secrets: [secret], nowSeconds: now, ...extra })

t.test('the known-answer vector', async (t) => {
  t.equal(omiseSignature(secret, TIMESTAMP, body).toString('hex'), EXPECTED)
  t.equal(createHmac('sha256', secret).update(`${TIMESTAMP}.${BODY}`).digest('hex'), EXPECTED, 'the documented steps, spelled out')
  t.same(check({}), { ok: true })
  t.same(check({ signature: EXPECTED.toUpperCase() }), { ok: true }, 'hex in either case')
})

t.test('rotation: several signatures in the header, two secrets configured', async (t) => {
  const fromOther = omiseSignature(other, TIMESTAMP, body).toString('hex')
  t.same(check({ signature: `${'0'.repeat(64)},${EXPECTED}` }), { ok: true }, 'the second signature matches')
  t.same(check({ signature: `${EXPECTED}, ${fromOther}` }), { ok: true }, 'spaces after commas')
  t.same(check({ signature: fromOther, secrets: [secret, other] }), { ok: true }, 'the second configured secret')
  t.same(check({ signature: fromOther }), { ok: false, reason: 'mismatch' })
})

t.test('refusals', async (t) => {
  t.same(check({ signature: 'f'.repeat(64) }), { ok: false, reason: 'mismatch' })
  t.same(check({ body: Buffer.from(BODY.replace('successful', 'failed')) }), { ok: false, reason: 'mismatch' }, 'a changed body')
  t.same(check({ body: Buffer.from(JSON.stringify(JSON.parse(BODY), null, 1)) }), { ok: false, reason: 'mismatch' }, 'the same JSON re-serialized')
  t.same(check({ timestamp: String(Number(TIMESTAMP) + 1) }), { ok: false, reason: 'mismatch' }, 'a changed timestamp')
  t.same(check({ signature: undefined }), { ok: false, reason: 'missing_signature' })
  t.same(check({ signature: ' ' }), { ok: false, reason: 'missing_signature' })
  t.same(check({ timestamp: undefined }), { ok: false, reason: 'missing_timestamp' })
  t.same(check({ timestamp: '17637696OO' }), { ok: false, reason: 'malformed' })
  t.same(check({ signature: 'sha256=abc' }), { ok: false, reason: 'malformed' })
  t.same(check({ secrets: [] }), { ok: false, reason: 'mismatch' })
})

t.test('timestamps more than 5 minutes from now are stale, after the signature is checked', async (t) => {
  t.same(check({ nowSeconds: Number(TIMESTAMP) + 300 }), { ok: true }, 'exactly 5 minutes')
  t.same(check({ nowSeconds: Number(TIMESTAMP) + 301 }), { ok: false, reason: 'stale' })
  t.same(check({ nowSeconds: Number(TIMESTAMP) - 301 }), { ok: false, reason: 'stale' }, 'from the future')
  t.same(check({ nowSeconds: Number(TIMESTAMP) + 3600, signature: 'f'.repeat(64) }), { ok: false, reason: 'mismatch' }, 'unsigned: only "invalid"')
  t.same(check({ nowSeconds: Number(TIMESTAMP) + 3600, toleranceSeconds: 7200 }), { ok: true })
})
