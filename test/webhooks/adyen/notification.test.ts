import t from 'tap'
import { isFraudChargeback, labelOf, notificationItemsOf, parseAdyenNotification } from '../../../src/webhooks/adyen/notification.js'

// The items of Adyen's sample notifications for each event code (the examples of Adyen's Webhooks
// API reference, standard webhook), hmacSignature left out: signatures are checked elsewhere.
const AUTHORISATION = {
  additionalData: { 'tokenization.shopperReference': 'YOUR_SHOPPER_REFERENCE', 'tokenization.storedPaymentMethodId': 'M5N7TQ4TG5PFWR50', 'tokenization.store.operationType': 'created' },
  amount: { currency: 'EUR', value: 1000 },
  eventCode: 'AUTHORISATION',
  eventDate: '2021-01-01T01:00:00+01:00',
  merchantAccountCode: 'YOUR_MERCHANT_ACCOUNT',
  merchantReference: 'YOUR_MERCHANT_REFERENCE',
  paymentMethod: 'ach',
  operations: ['CANCEL', 'CAPTURE', 'REFUND'],
  pspReference: 'QFQTPCQ8HXSKGK82',
  reason: 'null',
  success: 'true'
}
const CHARGEBACK = {
  additionalData: {
    captureMerchantReference: 'shopperReferenceTest',
    chargebackReasonCode: ' 4853',
    grossCurrency: 'EUR',
    defensePeriodEndsAt: '2021-07-31T03:03:07+02:00',
    defendable: 'true',
    grossValue: '2000',
    modificationMerchantReferences: 'shopperReferenceTest',
    chargebackSchemeCode: 'mc',
    capturePspReference: '8636172945333378',
    paymentMethodVariant: 'mc',
    shopperReference: 'YOUR_SHOPPER_REFERENCE'
  },
  amount: { currency: 'EUR', value: 1000 },
  eventCode: 'CHARGEBACK',
  eventDate: '2021-01-01T01:00:00+01:00',
  merchantAccountCode: 'YOUR_MERCHANT_ACCOUNT',
  merchantReference: 'YOUR_MERCHANT_REFERENCE',
  originalReference: '9913140798220028',
  paymentMethod: 'mc',
  pspReference: 'QFQTPCQ8HXSKGK82',
  reason: 'Payment.TxId=300000000524534724 dispute',
  success: 'true'
}
const NOTIFICATION_OF_FRAUD = {
  additionalData: { nofReasonCode: '6', modificationMerchantReferences: 'shopperReferenceTest', nofSchemeCode: 'visa' },
  amount: { currency: 'EUR', value: 1000 },
  eventCode: 'NOTIFICATION_OF_FRAUD',
  eventDate: '2021-01-01T01:00:00+01:00',
  merchantAccountCode: 'YOUR_MERCHANT_ACCOUNT',
  merchantReference: 'YOUR_MERCHANT_REFERENCE',
  originalReference: '9913140798220028',
  paymentMethod: 'visa',
  pspReference: 'QFQTPCQ8HXSKGK82',
  reason: 'Fraudulent Use of Account Number',
  success: 'true'
}
/** Adyen's sample REFUND is a failed one ("Transaction hasn't been captured, refund not possible") */
const REFUND = {
  amount: { currency: 'EUR', value: 1000 },
  eventCode: 'REFUND',
  eventDate: '2021-01-01T01:00:00+01:00',
  merchantAccountCode: 'YOUR_MERCHANT_ACCOUNT',
  merchantReference: 'YOUR_MERCHANT_REFERENCE',
  originalReference: '9913140798220028',
  paymentMethod: 'visa',
  pspReference: 'QFQTPCQ8HXSKGK82',
  reason: 'Transaction hasn\'t been captured, refund not possible',
  success: 'false'
}
const CAPTURE = { ...REFUND, eventCode: 'CAPTURE', reason: '', success: 'true' }

const parse = (item: Record<string, unknown>) => {
  const parsed = parseAdyenNotification(item)
  if (parsed === undefined) throw new Error('not parsed')
  return parsed
}

t.test('the envelope: notificationItems of NotificationRequestItem objects', async (t) => {
  t.same(notificationItemsOf({ live: 'false', notificationItems: [{ NotificationRequestItem: AUTHORISATION }] }), [AUTHORISATION])
  t.same(notificationItemsOf({ live: 'false', notificationItems: [{ NotificationRequestItem: AUTHORISATION }, { NotificationRequestItem: CAPTURE }] })?.length, 2)
  for (const body of [null, 'x', [], {}, { notificationItems: [] }, { notificationItems: {} }, { notificationItems: [AUTHORISATION] },
    { notificationItems: [{ NotificationRequestItem: null }] }, { notificationItems: Array.from({ length: 101 }, () => ({ NotificationRequestItem: AUTHORISATION })) }]) {
    t.equal(notificationItemsOf(body), undefined, JSON.stringify(body).slice(0, 60))
  }
})

t.test('an item: its id (pspReference, eventCode, success, originalReference), its references and metadata', async (t) => {
  const authorisation = parse({ ...AUTHORISATION, additionalData: { ...AUTHORISATION.additionalData, 'metadata.riskgate_decision_id': 'dec-1', 'metadata.riskgate_charge_id': 'order-1' } })
  t.same(authorisation, {
    id: 'QFQTPCQ8HXSKGK82:AUTHORISATION:true',
    eventCode: 'AUTHORISATION',
    success: true,
    pspReference: 'QFQTPCQ8HXSKGK82',
    merchantReference: 'YOUR_MERCHANT_REFERENCE',
    decisionId: 'dec-1',
    chargeId: 'order-1'
  })
  const chargeback = parse(CHARGEBACK)
  t.equal(chargeback.id, 'QFQTPCQ8HXSKGK82:CHARGEBACK:true:9913140798220028')
  t.equal(chargeback.originalReference, '9913140798220028')
  t.equal(chargeback.chargebackReasonCode, '4853', 'trimmed: Adyen\'s sample has a leading space')
  t.equal(chargeback.chargebackSchemeCode, 'mc')
  t.equal(parse({ ...AUTHORISATION, success: 'false' }).id, 'QFQTPCQ8HXSKGK82:AUTHORISATION:false', 'a refusal is another event than the authorisation')
  t.equal(parse({ ...AUTHORISATION, originalReference: '' }).originalReference, undefined)
  t.equal(parse({ ...AUTHORISATION, pspReference: 'test_AUTHORISATION_1' }).pspReference, 'test_AUTHORISATION_1', 'the Customer Area\'s test notifications')
  for (const [name, item] of [
    ['no pspReference', { ...AUTHORISATION, pspReference: undefined }],
    ['a pspReference with a colon', { ...AUTHORISATION, pspReference: 'a:b' }],
    ['a lower-case eventCode', { ...AUTHORISATION, eventCode: 'authorisation' }],
    ['success a boolean', { ...AUTHORISATION, success: true }],
    ['success something else', { ...AUTHORISATION, success: 'yes' }],
    ['a merchantReference not a string', { ...AUTHORISATION, merchantReference: 42 }],
    ['an originalReference not an id', { ...CHARGEBACK, originalReference: 'x y' }]
  ] as const) {
    t.equal(parseAdyenNotification(item as Record<string, unknown>), undefined, name)
  }
})

t.test('what each event code means', async (t) => {
  t.equal(labelOf(parse(AUTHORISATION)), 'legit')
  t.equal(labelOf(parse({ ...AUTHORISATION, success: 'false', reason: 'Refused' })), undefined, 'a refused authorisation: no outcome')
  t.equal(labelOf(parse(CHARGEBACK)), 'chargeback', 'Mastercard 4853 (not as described) is a chargeback')
  t.equal(labelOf(parse({ ...CHARGEBACK, success: 'false' })), undefined)
  t.equal(labelOf(parse(NOTIFICATION_OF_FRAUD)), 'fraud')
  t.equal(labelOf(parse(REFUND)), undefined, 'the sample refund failed: no outcome')
  t.equal(labelOf(parse({ ...REFUND, success: 'true', reason: '' })), 'refund')
  t.equal(labelOf(parse(CAPTURE)), undefined)
  for (const code of ['CANCELLATION', 'NOTIFICATION_OF_CHARGEBACK', 'REQUEST_FOR_INFORMATION', 'CHARGEBACK_REVERSED', 'SECOND_CHARGEBACK', 'REPORT_AVAILABLE', 'SOMETHING_NEW']) {
    t.equal(labelOf(parse({ ...CAPTURE, eventCode: code })), undefined, code)
  }
})

t.test('a chargeback with a fraud reason code of its scheme is fraud', async (t) => {
  const withCode = (code: string, scheme?: string) => parse({ ...CHARGEBACK, additionalData: { ...CHARGEBACK.additionalData, chargebackReasonCode: code, chargebackSchemeCode: scheme } })
  t.equal(labelOf(withCode('10.4', 'visa')), 'fraud', 'Visa 10.4, other fraud: card-absent')
  t.equal(labelOf(withCode('4837', 'mc')), 'fraud', 'Mastercard 4837, no cardholder authorization')
  t.equal(labelOf(withCode(' 4863', 'mc')), 'fraud', 'Mastercard 4863, as Adyen writes it')
  t.equal(labelOf(withCode('F29', 'amex')), 'fraud')
  t.equal(labelOf(withCode('UA02', 'discover')), 'fraud')
  t.equal(labelOf(withCode('10.4')), 'fraud', 'no scheme code: any scheme\'s fraud codes')
  t.equal(labelOf(withCode('4837', 'visa')), 'chargeback', 'a code of another scheme is not read as this one\'s')
  t.equal(labelOf(withCode('13.1', 'visa')), 'chargeback', 'Visa 13.1, merchandise not received')
  t.equal(labelOf(withCode('4853', 'maestro')), 'chargeback')
  t.equal(labelOf(withCode('10.4', 'jcb')), 'chargeback', 'a scheme without a fraud code list: a chargeback')
  t.equal(isFraudChargeback({}), false)
})
