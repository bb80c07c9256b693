import t from 'tap'
import { findCardData } from '../../src/security/card-data.js'

const cases: Array<[string, unknown, string[]]> = [
  ['clean charge', { charge_id: 'c1', card: { bin: '424242', last4: '4242', fingerprint: 'fp_1' } }, []],
  ['card.number', { card: { number: '4242424242424242' } }, ['/card/number']],
  ['top-level pan', { pan: '4242424242424242' }, ['/pan']],
  ['cvv', { card: { cvv: '123' } }, ['/card/cvv']],
  ['CVC in other case', { card: { CVC: '123' } }, ['/card/CVC']],
  ['card_number in metadata', { metadata: { card_number: 'x' } }, ['/metadata/card_number']],
  ['security-code', { card: { 'security-code': '999' } }, ['/card/security-code']],
  ['full PAN in bin', { card: { bin: '4242424242424242' } }, ['/card/bin']],
  ['full PAN as customer id', { customer_id: '4242 4242 4242 4242' }, ['/customer_id']],
  ['items nested', { items: [{ name: 'x' }, { cvv: '1' }] }, ['/items/1/cvv']],
  ['empty cvv field is ignored', { card: { cvv: '' } }, []]
]

for (const [name, body, paths] of cases) {
  t.test(name, async (t) => {
    t.same(findCardData(body).map((f) => f.path), paths)
  })
}
