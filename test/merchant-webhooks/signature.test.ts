import { readFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import t from 'tap'
import { verifyRiskgateSignature } from '../../examples/verify-riskgate-signature.mjs'
import { signatureHeader } from '../../src/merchant-webhooks/signature.js'
import { rootDir } from '../helpers/test-data.js'

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef'
const T = 1_796_000_000

t.test('the README shows the verification snippet the tests run, byte for byte', async (t) => {
  const snippet = readFileSync(path.join(rootDir, 'examples', 'verify-riskgate-signature.mjs'), 'utf8')
  const readme = readFileSync(path.join(rootDir, 'README.md'), 'utf8')
  t.ok(readme.includes('```js\n' + snippet + '```\n'), 'README.md has examples/verify-riskgate-signature.mjs in a js block')
})

t.test('the header is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">', async (t) => {
  const header = signatureHeader(SECRET, T, '{"a":1}')
  t.match(header, /^t=1796000000,v1=[0-9a-f]{64}$/)
  t.equal(verifyRiskgateSignature('{"a":1}', header, SECRET, { nowSeconds: T }), true)
  t.equal(verifyRiskgateSignature(Buffer.from('{"a":1}'), header, SECRET, { nowSeconds: T + 300 }), true, 'within 5 minutes')
  t.equal(verifyRiskgateSignature('{"a":1}', header, SECRET, { nowSeconds: T + 301 }), false, 'older: refused')
  t.equal(verifyRiskgateSignature('{"a":1}', header, `${SECRET}x`, { nowSeconds: T }), false, 'another secret')
  t.equal(verifyRiskgateSignature('{"a":1}', header.replace('t=1796000000', 't=1796000001'), SECRET, { nowSeconds: T }), false, 'another time')
  t.equal(verifyRiskgateSignature('{"a":1}', undefined, SECRET, { nowSeconds: T }), false, 'no header')
  t.equal(verifyRiskgateSignature('{"a":1}', `t=${T}`, SECRET, { nowSeconds: T }), false, 'no v1')
  t.equal(verifyRiskgateSignature('{"a":1}', `${header},v1=${'0'.repeat(64)}`, SECRET, { nowSeconds: T }), true, 'one of several v1 matching is enough')
})

t.test('property: the signature verifies for any body, and fails for any single-byte change', async (t) => {
  fc.assert(fc.property(
    fc.uint8Array({ minLength: 1, maxLength: 512 }),
    fc.nat(),
    fc.integer({ min: 1, max: 255 }),
    fc.integer({ min: 0, max: 4_000_000_000 }),
    (bytes, at, flip, seconds) => {
      const body = Buffer.from(bytes)
      const header = signatureHeader(SECRET, seconds, body)
      if (!verifyRiskgateSignature(body, header, SECRET, { nowSeconds: seconds })) return false
      const changed = Buffer.from(body)
      const i = at % changed.length
      changed[i] = (changed[i] as number) ^ flip
      return !verifyRiskgateSignature(changed, header, SECRET, { nowSeconds: seconds })
    }
  ), { numRuns: 500 })
  t.pass('held for every generated body')
})
