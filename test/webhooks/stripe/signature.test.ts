import t from 'tap'
import { createHmac } from 'node:crypto'
import { stripeSignature, verifyStripeSignature } from '../../../src/webhooks/stripe/signature.js'

// A known-answer vector computed outside riskgate, following Stripe's documented steps:
//   signed_payload = "<t>.<raw body>"; v1 = hex HMAC-SHA256(key = the endpoint secret as written, signed_payload)
// printf '%s' "1763769600.$BODY" | openssl dgst -sha256 -hmac "$SECRET"
const SECRET = 'whsec_test_riskgate0123456789abcdefABCDEF'
const TIMESTAMP = '1763769600'
const BODY = '{"id":"evt_test_1","object":"event","type":"charge.succeeded","data":{"object":{"id":"ch_test_1","object":"charge","status":"succeeded","metadata":{"riskgate_decision_id":"DECISION"}}}}'
const EXPECTED = '0c5ccc2ebabcc162d03ce2fca5e93446a7e07582c216907ad90cb1a60c8ccf74'
const OTHER = 'whsec_test_previousSecretOfTheRotation01'

const body = Buffer.from(BODY, 'utf8')
const now = Number(TIMESTAMP) + 30

const check = (header: string | undefined, extra: Partial<Parameters<typeof verifyStripeSignature>[0]> = {}) =>
  verifyStripeSignature({ body, header, secrets: [SECRET], nowSeconds: now, ...extra })

t.test('the known-answer vector', async (t) => {
  t.equal(stripeSignature(SECRET, TIMESTAMP, body).toString('hex'), EXPECTED)
  t.equal(createHmac('sha256', SECRET).update(`${TIMESTAMP}.${BODY}`).digest('hex'), EXPECTED, 'the documented steps, spelled out')
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED}`), { ok: true })
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED},v0=${'0'.repeat(64)}`), { ok: true }, 'a v0 (test-mode legacy) signature is ignored')
  t.same(check(`v1=${EXPECTED}, t=${TIMESTAMP}`), { ok: true }, 'in any order, spaces allowed')
})

t.test('rotation: several v1 signatures in the header, several secrets configured', async (t) => {
  const fromOther = stripeSignature(OTHER, TIMESTAMP, body).toString('hex')
  t.same(check(`t=${TIMESTAMP},v1=${fromOther},v1=${EXPECTED}`), { ok: true }, 'Stripe signs with the old and the new secret while it rolls one')
  t.same(check(`t=${TIMESTAMP},v1=${fromOther}`, { secrets: [SECRET, OTHER] }), { ok: true }, 'the previous secret still configured')
  t.same(check(`t=${TIMESTAMP},v1=${fromOther}`), { ok: false, reason: 'mismatch' }, 'once removed, it no longer works')
})

t.test('refusals', async (t) => {
  t.same(check(undefined), { ok: false, reason: 'missing_signature' })
  t.same(check(' '), { ok: false, reason: 'missing_signature' })
  t.same(check(`v1=${EXPECTED}`), { ok: false, reason: 'malformed' }, 'no timestamp')
  t.same(check(`t=${TIMESTAMP}`), { ok: false, reason: 'malformed' }, 'no v1')
  t.same(check(`t=${TIMESTAMP},v0=${EXPECTED}`), { ok: false, reason: 'malformed' }, 'v0 alone is not accepted')
  t.same(check(`t=abc,v1=${EXPECTED}`), { ok: false, reason: 'malformed' })
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED.slice(0, 63)}`), { ok: false, reason: 'malformed' })
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED}`, { body: Buffer.from(BODY.replace('succeeded', 'failed')) }), { ok: false, reason: 'mismatch' }, 'a tampered body')
  t.same(check(`t=${Number(TIMESTAMP) + 1},v1=${EXPECTED}`), { ok: false, reason: 'mismatch' }, 'the timestamp is signed too')
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED}`, { secrets: [OTHER] }), { ok: false, reason: 'mismatch' })
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED}`, { nowSeconds: Number(TIMESTAMP) + 301 }), { ok: false, reason: 'stale' }, 'older than 5 minutes')
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED}`, { nowSeconds: Number(TIMESTAMP) - 301 }), { ok: false, reason: 'stale' }, 'more than 5 minutes ahead')
  t.same(check(`t=${TIMESTAMP},v1=${EXPECTED}`, { nowSeconds: Number(TIMESTAMP) + 300 }), { ok: true }, 'exactly 5 minutes is within the tolerance')
})
