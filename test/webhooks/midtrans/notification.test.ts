import t from 'tap'
import { labelOf, parseMidtransNotification } from '../../../src/webhooks/midtrans/notification.js'

const base = {
  transaction_time: '2026-11-21 17:00:00',
  transaction_status: 'settlement',
  transaction_id: '513f1f01-c9da-474c-9fc9-d5c64364b709',
  status_message: 'midtrans payment notification',
  status_code: '200',
  signature_key: 'ignored-here',
  payment_type: 'gopay',
  order_id: 'riskgate-ord-1',
  merchant_id: 'G000000000',
  gross_amount: '105000.00',
  fraud_status: 'accept',
  currency: 'IDR'
}

t.test('parses what riskgate reads; the id is transaction id, status and status code', async (t) => {
  const n = parseMidtransNotification({ ...base, metadata: { riskgate_decision_id: 'd-1', riskgate_charge_id: 'c-1', other: 1 } })
  t.same(n, {
    id: '513f1f01-c9da-474c-9fc9-d5c64364b709:settlement:200',
    orderId: 'riskgate-ord-1',
    transactionId: '513f1f01-c9da-474c-9fc9-d5c64364b709',
    transactionStatus: 'settlement',
    statusCode: '200',
    grossAmount: '105000.00',
    fraudStatus: 'accept',
    decisionId: 'd-1',
    chargeId: 'c-1'
  })
  t.notOk('decisionId' in (parseMidtransNotification({ ...base, metadata: 'x' }) ?? {}))
})

t.test('refuses what is not a notification', async (t) => {
  for (const body of [null, 'x', [], {}, { ...base, order_id: undefined }, { ...base, order_id: 'x'.repeat(51) }, { ...base, transaction_id: 'a b' },
    { ...base, status_code: 200 }, { ...base, gross_amount: 105000 }, { ...base, gross_amount: '1,000' }, { ...base, transaction_status: 'SETTLEMENT' }]) {
    t.equal(parseMidtransNotification(body), undefined, JSON.stringify(body))
  }
})

t.test('status and fraud status map to outcomes', async (t) => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    ['settlement', 'accept', 'legit'],
    ['settlement', undefined, 'legit'],
    ['capture', 'accept', 'legit'],
    ['capture', 'challenge', undefined],
    ['capture', 'deny', 'gateway_denied'],
    ['deny', 'deny', 'gateway_denied'],
    ['deny', 'accept', 'gateway_denied'],
    ['refund', 'accept', 'refund'],
    ['partial_refund', 'accept', 'refund'],
    ['chargeback', 'accept', 'chargeback'],
    ['partial_chargeback', 'accept', 'chargeback'],
    ['cancel', 'accept', undefined],
    ['expire', undefined, undefined],
    ['failure', undefined, undefined],
    ['pending', 'accept', undefined],
    ['authorize', 'accept', undefined],
    ['something_new', 'accept', undefined]
  ]
  for (const [transactionStatus, fraudStatus, label] of cases) {
    t.equal(labelOf({ transactionStatus, ...(fraudStatus !== undefined ? { fraudStatus } : {}) }), label, `${transactionStatus}/${fraudStatus ?? '-'}`)
  }
})
