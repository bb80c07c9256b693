import t from 'tap'
import { createHash } from 'node:crypto'
import { ApiKeyConfigError, findApiKey, parseApiKeys } from '../../src/auth/api-keys.js'

const hex = (s: string) => createHash('sha256').update(s).digest('hex')

t.test('parses keys with scopes', async (t) => {
  const keys = parseApiKeys(`backend:score:${hex('s1')}, analyst-1:analyst+admin:${hex('s2')}`)
  t.equal(keys.length, 2)
  t.same([...keys[0]!.scopes], ['score'])
  t.same([...keys[1]!.scopes].sort(), ['admin', 'analyst'])
  t.equal(findApiKey(keys, 's1')?.id, 'backend')
  t.equal(findApiKey(keys, 's2')?.id, 'analyst-1')
  t.equal(findApiKey(keys, 's3'), undefined)
  t.equal(findApiKey(keys, ''), undefined)
})

t.test('empty or unset means no keys', async (t) => {
  t.same(parseApiKeys(undefined), [])
  t.same(parseApiKeys('  '), [])
})

const bad: Array<[string, string, RegExp]> = [
  ['two parts', `a:${hex('x')}`, /expected/],
  ['unknown scope', `a:root:${hex('x')}`, /unknown scope "root"/],
  ['short hash', 'a:score:abcd', /64-hex-digit/],
  ['bad id', `a b:score:${hex('x')}`, /key id/],
  ['duplicate id', `a:score:${hex('x')},a:admin:${hex('y')}`, /duplicate key id/]
]
for (const [name, value, message] of bad) {
  t.test(`refuses ${name}`, async (t) => {
    t.throws(() => parseApiKeys(value), ApiKeyConfigError)
    try { parseApiKeys(value) } catch (err) {
      t.match((err as Error).message, message)
      t.notMatch((err as Error).message, hex('x'), 'never echoes the hash')
    }
  })
}
