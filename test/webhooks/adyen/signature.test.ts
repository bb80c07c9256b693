import t from 'tap'
import { createHmac } from 'node:crypto'
import { adyenSignature, adyenSigningString, signedFieldsOf, verifyAdyenSignature } from '../../../src/webhooks/adyen/signature.js'

// The known-answer vector of Adyen's documentation ("Verify HMAC signatures" / "Signing
// notifications with HMAC"): its sample HMAC key and its sample notification item (pspReference
// 7914073381342284, no originalReference, merchant account TestMerchant, merchantReference
// TestPayment-1407325143704, 1130 EUR, AUTHORISATION, success true). The expected signature was
// computed outside riskgate, and is the hmacSignature shown with that sample item where it is
// published:
// printf '%s' "$SIGNING_STRING" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -binary | base64
const KEY_HEX = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056'
const SIGNING_STRING = '7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true'
const EXPECTED = 'coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0='
const OTHER_HEX = '0f'.repeat(32)

const key = Buffer.from(KEY_HEX, 'hex')
const other = Buffer.from(OTHER_HEX, 'hex')

/** the documented sample item, as Adyen sends it in a JSON notification */
const sample = (extra: Record<string, unknown> = {}, hmacSignature: unknown = EXPECTED): Record<string, unknown> => ({
  additionalData: { hmacSignature },
  amount: { currency: 'EUR', value: 1130 },
  eventCode: 'AUTHORISATION',
  eventDate: '2026-11-21T10:00:00+01:00',
  merchantAccountCode: 'TestMerchant',
  merchantReference: 'TestPayment-1407325143704',
  paymentMethod: 'visa',
  pspReference: '7914073381342284',
  reason: '',
  success: 'true',
  ...extra
})

t.test('the known-answer vector', async (t) => {
  const fields = signedFieldsOf(sample())
  t.ok(fields !== undefined)
  if (fields === undefined) return
  t.equal(adyenSigningString(fields), SIGNING_STRING, 'the fields in Adyen\'s order, an absent originalReference empty')
  t.equal(adyenSignature(key, fields).toString('base64'), EXPECTED)
  t.equal(createHmac('sha256', Buffer.from(KEY_HEX, 'hex')).update(SIGNING_STRING).digest('base64'), EXPECTED, 'the documented steps, spelled out')
  t.same(verifyAdyenSignature(sample(), [key]), { ok: true })
  t.same(verifyAdyenSignature(sample({ originalReference: '' }), [key]), { ok: true }, 'an empty originalReference is the same as none')
  t.same(verifyAdyenSignature(sample({ additionalData: { hmacSignature: EXPECTED, 'metadata.riskgate_decision_id': 'x' }, reason: 'anything' }), [key]), { ok: true },
    'fields outside the signing string (additionalData, reason, eventDate) are not signed')
})

t.test('rotation: any configured key; the key is the hex-decoded bytes, not the hex text', async (t) => {
  t.same(verifyAdyenSignature(sample(), [other, key]), { ok: true }, 'the old key still configured beside the new')
  t.same(verifyAdyenSignature(sample(), [other]), { ok: false, reason: 'mismatch' }, 'once removed, it no longer works')
  const asText = createHmac('sha256', KEY_HEX).update(SIGNING_STRING).digest('base64')
  t.same(verifyAdyenSignature(sample({}, asText), [key]), { ok: false, reason: 'mismatch' })
})

t.test('every signed field is signed', async (t) => {
  for (const [name, extra] of [
    ['pspReference', { pspReference: '7914073381342285' }],
    ['originalReference', { originalReference: '8313547924770610' }],
    ['merchantAccountCode', { merchantAccountCode: 'OtherMerchant' }],
    ['merchantReference', { merchantReference: 'TestPayment-1' }],
    ['amount.value', { amount: { currency: 'EUR', value: 1131 } }],
    ['amount.currency', { amount: { currency: 'USD', value: 1130 } }],
    ['eventCode', { eventCode: 'CHARGEBACK' }],
    ['success', { success: 'false' }]
  ] as const) {
    t.same(verifyAdyenSignature(sample(extra), [key]), { ok: false, reason: 'mismatch' }, name)
  }
})

t.test('refusals', async (t) => {
  t.same(verifyAdyenSignature(sample({ additionalData: undefined }), [key]), { ok: false, reason: 'missing_signature' })
  t.same(verifyAdyenSignature(sample({ additionalData: {} }), [key]), { ok: false, reason: 'missing_signature' })
  t.same(verifyAdyenSignature(sample({}, ''), [key]), { ok: false, reason: 'missing_signature' })
  t.same(verifyAdyenSignature(sample({}, 42), [key]), { ok: false, reason: 'missing_signature' })
  t.same(verifyAdyenSignature(sample({}, EXPECTED.slice(0, 40)), [key]), { ok: false, reason: 'malformed' })
  t.same(verifyAdyenSignature(sample({}, `${EXPECTED.slice(0, 43)}!`), [key]), { ok: false, reason: 'malformed' })
  t.same(verifyAdyenSignature(sample({ amount: { currency: 'EUR', value: '1130' } }), [key]), { ok: false, reason: 'malformed' }, 'the value is a JSON number')
  t.same(verifyAdyenSignature(sample({ amount: { currency: 'EUR', value: 11.3 } }), [key]), { ok: false, reason: 'malformed' })
  t.same(verifyAdyenSignature(sample({ amount: undefined }), [key]), { ok: false, reason: 'malformed' })
  t.same(verifyAdyenSignature(sample({ success: true }), [key]), { ok: false, reason: 'malformed' }, 'success is the string Adyen signs')
  t.same(verifyAdyenSignature(sample(), []), { ok: false, reason: 'mismatch' }, 'no key: nothing matches')
})
