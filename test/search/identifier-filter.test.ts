import t from 'tap'
import { createSnapshotHash } from '../../src/decision-log/snapshot.js'
import { identifierFilter, normalizeIdentifier } from '../../src/search/identifier-filter.js'

const digestOf = createSnapshotHash('test-hash-key-identifier-filter-0123456789')
const fail = (fn: () => unknown): { code?: string, message?: string, details?: unknown } => {
  try {
    fn()
  } catch (err) {
    return err as { code?: string }
  }
  throw new Error('did not throw')
}

t.test('identifiers are normalized as scoring does', async (t) => {
  t.equal(normalizeIdentifier('email', '  Somchai@Example.CO.TH '), 'somchai@example.co.th')
  t.equal(normalizeIdentifier('ip', '::ffff:1.2.3.4'), '1.2.3.4')
  t.equal(normalizeIdentifier('ip', ' 2001:DB8:0:0::1 '), '2001:db8::1')
  t.equal(normalizeIdentifier('customer_id', 'Cus_1 '), 'Cus_1 ', 'ids are kept as sent')
  t.equal(normalizeIdentifier('card_fingerprint', 'fp_4111111111111111'), 'fp_[card]', 'card numbers scrubbed, as they were before recording')
  const badIp = fail(() => normalizeIdentifier('ip', '1.2.3.999'))
  t.equal(badIp.code, 'validation_failed')
  t.notOk(JSON.stringify(badIp.details).includes('999'), 'the value is not quoted')
  t.equal(fail(() => normalizeIdentifier('email', 'no-at-sign')).code, 'validation_failed')
})

t.test('one identifier filter a request, as its digest', async (t) => {
  t.equal(identifierFilter({}, digestOf), undefined)
  t.same(identifierFilter({ email: 'A@B.example' }, digestOf), { kind: 'email', digest: digestOf('a@b.example') })
  t.same(identifierFilter({ customer_id: 'cus_9' }, digestOf), { kind: 'customer_id', digest: digestOf('cus_9') })
  const two = fail(() => identifierFilter({ email: 'a@b.example', ip: '1.2.3.4' }, digestOf))
  t.equal(two.code, 'validation_failed')
  t.notOk(JSON.stringify(two).includes('a@b.example') || JSON.stringify(two).includes('1.2.3.4'), 'values never quoted')
})
