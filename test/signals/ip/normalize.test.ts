import t from 'tap'
import fc from 'fast-check'
import { invalidIpError, normalizeIp } from '../../../src/signals/ip/normalize.js'
import { ErrorCode, RiskgateError } from '../../../src/errors.js'

t.test('valid addresses are normalized', async (t) => {
  const cases: Array<[string, string, 4 | 6, boolean]> = [
    ['8.8.8.8', '8.8.8.8', 4, false],
    ['::ffff:8.8.8.8', '8.8.8.8', 4, false],
    ['::FFFF:8.8.8.8', '8.8.8.8', 4, false],
    ['::ffff:0808:0808', '8.8.8.8', 4, false],
    ['0:0:0:0:0:ffff:192.168.1.1', '192.168.1.1', 4, true],
    ['2001:4860:4860:0000:0000:0000:0000:8888', '2001:4860:4860::8888', 6, false],
    ['2001:4860:4860::8888', '2001:4860:4860::8888', 6, false],
    ['2600:1F18::1', '2600:1f18::1', 6, false],
    ['::1', '::1', 6, true],
    ['::1.2.3.4', '::102:304', 6, true], // IPv4-compatible (deprecated): not unmapped, never looked up
    ['2001:db8::1', '2001:db8::1', 6, true]
  ]
  for (const [input, address, version, isPrivate] of cases) {
    const ip = normalizeIp(input)
    t.ok(ip.ok, input)
    if (!ip.ok) continue
    t.equal(ip.address, address, `${input} address`)
    t.equal(ip.version, version, `${input} version`)
    t.equal(ip.isPrivate, isPrivate, `${input} private`)
    t.equal(ip.bytes.length, version === 4 ? 4 : 16)
  }
})

t.test('invalid input gives a result, never an exception', async (t) => {
  const cases = ['', ' 8.8.8.8', '8.8.8.8 ', '8.8.8', '08.8.8.8', '256.1.1.1', 'fe80::1%eth0', '10.0.0.0/8', '[::1]',
    '::ffff:999.1.1.1', 'localhost', '1:2:3:4:5:6:7:8:9', 'x'.repeat(65), '１.２.３.４']
  for (const input of cases) {
    const ip = normalizeIp(input)
    t.equal(ip.ok, false, JSON.stringify(input))
    if (!ip.ok && input.trim() !== '') t.notOk(ip.reason.includes(input.trim()), 'the input is not echoed')
  }
  t.doesNotThrow(() => fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
    const ip = normalizeIp(s)
    return typeof ip.ok === 'boolean'
  }), { numRuns: 2000 }))
})

t.test('normalizing is idempotent', async (t) => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'))
  const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((w) => w.map((x) => x.toString(16)).join(':'))
  const mapped = v4.map((a) => `::ffff:${a}`)
  t.doesNotThrow(() => fc.assert(fc.property(fc.oneof(v4, v6, mapped), (input) => {
    const once = normalizeIp(input)
    if (!once.ok) return false
    const twice = normalizeIp(once.address)
    return twice.ok && twice.address === once.address && twice.version === once.version && twice.isPrivate === once.isPrivate
  }), { numRuns: 2000 }))
})

t.test('invalidIpError is a 400 in the API error shape', async (t) => {
  const ip = normalizeIp('nope')
  if (ip.ok) throw new Error('expected invalid')
  const err = invalidIpError(ip)
  t.ok(err instanceof RiskgateError)
  t.equal(err.statusCode, 400)
  t.equal(err.code, ErrorCode.VALIDATION_FAILED)
  t.same(err.details, [{ path: '/ip', message: ip.reason }])
})
