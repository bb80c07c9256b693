import t from 'tap'
import { isMapNode, isScalarNode, YamlSource } from '../../src/engine/yaml-source.js'
import type { Scalar } from 'yaml'

function whenScalar (source: YamlSource): Scalar {
  const root = source.root
  if (!isMapNode(root)) throw new Error('not a map')
  const node = root.get('when', true)
  if (!isScalarNode(node)) throw new Error('no when scalar')
  return node
}

// for every style, each token of the parsed value maps back to where the token is in the file
const styles: Array<[string, string]> = [
  ['plain', 'when: ip.is_tor && amount > 5\n'],
  ['plain over two lines', 'when: ip.is_tor &&\n  amount > 5\n'],
  ['double quoted with escapes', 'when: "card.country == \\"TH\\" && amount > 5"\n'],
  ['single quoted with escapes', "when: 'card.country == ''TH'' && amount > 5'\n"],
  ['folded block', 'when: >\n  ip.is_tor &&\n    amount > 5\n'],
  ['literal block', 'when: |-\n    ip.is_tor &&\n    amount > 5\n'],
  ['folded block with a comment on the header', 'when: > # amount here\n  ip.is_tor && amount > 5\n']
]

t.test('scalarOffset maps value positions to file offsets in every scalar style', async (t) => {
  for (const [style, text] of styles) {
    const source = new YamlSource('f.yaml', text)
    const scalar = whenScalar(source)
    const value = String(scalar.value)
    const tokenAt = value.indexOf('amount')
    t.ok(tokenAt >= 0, `${style}: value contains amount`)
    const offset = source.scalarOffset(scalar, tokenAt)
    t.equal(text.slice(offset, offset + 'amount > 5'.length), 'amount > 5', `${style}: "amount" found at its file offset`)
    const start = source.scalarOffset(scalar, 0)
    t.equal(text[start], value[0], `${style}: first character`)
  }
})

t.test('positions are 1-based lines and columns', async (t) => {
  const source = new YamlSource('f.yaml', 'a: 1\nwhen: >\n  x &&\n  yy\n')
  const scalar = whenScalar(source)
  t.same(source.position(source.scalarOffset(scalar, String(scalar.value).indexOf('yy'))), { line: 4, column: 3 })
  t.same(source.position(0), { line: 1, column: 1 })
})
