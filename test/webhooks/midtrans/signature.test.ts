import t from 'tap'
import { createHash } from 'node:crypto'
import { midtransSignature, verifyMidtransSignature } from '../../../src/webhooks/midtrans/signature.js'

// A known-answer vector computed outside riskgate, following Midtrans' documented steps:
//   signature_key = SHA512(order_id + status_code + gross_amount + ServerKey), hex
// printf '%s' 'riskgate-ord-100120010000.00SB-Mid-server-riskgateTestKey0001' | sha512sum
const ORDER_ID = 'riskgate-ord-1001'
const STATUS_CODE = '200'
const GROSS_AMOUNT = '10000.00'
const SERVER_KEY = 'SB-Mid-server-riskgateTestKey0001'
const EXPECTED = '7e1a5bda8cddfdc0918d5ea10401e3f2dbaed4b31013d252f2dcc2f657b12b3842eaf08c7c63f23ae3ed4dd5bfdad478e894ad2a960f9223a727fd5dc26d22be'
const OTHER_KEY = 'SB-Mid-server-riskgateTestKey0002'

const check = (extra: Partial<Parameters<typeof verifyMidtransSignature>[0]>) =>
  verifyMidtransSignature({ orderId: ORDER_ID, statusCode: STATUS_CODE, grossAmount: GROSS_AMOUNT, signature: EXPECTED, serverKeys: [SERVER_KEY], ...extra })

t.test('the known-answer vector', async (t) => {
  t.equal(midtransSignature(ORDER_ID, STATUS_CODE, GROSS_AMOUNT, SERVER_KEY).toString('hex'), EXPECTED)
  t.equal(createHash('sha512').update(ORDER_ID + STATUS_CODE + GROSS_AMOUNT + SERVER_KEY).digest('hex'), EXPECTED, 'the documented steps, spelled out')
  t.same(check({}), { ok: true })
  t.same(check({ signature: EXPECTED.toUpperCase() }), { ok: true }, 'hex in either case')
})

t.test('rotation: any configured server key may have signed it', async (t) => {
  t.same(check({ serverKeys: [OTHER_KEY, SERVER_KEY] }), { ok: true }, 'the old key still listed')
  t.same(check({ serverKeys: [OTHER_KEY] }), { ok: false, reason: 'mismatch' }, 'the old key removed')
  const byOther = midtransSignature(ORDER_ID, STATUS_CODE, GROSS_AMOUNT, OTHER_KEY).toString('hex')
  t.same(check({ signature: byOther, serverKeys: [SERVER_KEY, OTHER_KEY] }), { ok: true }, 'the new key')
})

t.test('every signed field counts; a missing or malformed signature is refused', async (t) => {
  t.same(check({ orderId: 'riskgate-ord-1002' }), { ok: false, reason: 'mismatch' })
  t.same(check({ statusCode: '201' }), { ok: false, reason: 'mismatch' })
  t.same(check({ grossAmount: '10000' }), { ok: false, reason: 'mismatch' }, 'the amount as sent, decimals included')
  t.same(check({ signature: undefined }), { ok: false, reason: 'missing_signature' })
  t.same(check({ signature: '' }), { ok: false, reason: 'missing_signature' })
  t.same(check({ signature: 42 }), { ok: false, reason: 'missing_signature' })
  t.same(check({ signature: EXPECTED.slice(0, 64) }), { ok: false, reason: 'malformed' }, 'a SHA-256 length')
  t.same(check({ signature: `${EXPECTED.slice(0, 127)}g` }), { ok: false, reason: 'malformed' })
  t.same(check({ serverKeys: [] }), { ok: false, reason: 'mismatch' })
})
