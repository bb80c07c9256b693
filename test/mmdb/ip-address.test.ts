import t from 'tap'
import fc from 'fast-check'
import { isIP } from 'node:net'
import {
  bigIntToBytes, bytesMatchPrefix, bytesToBigInt, formatIPv4, formatIPv6, parseCidr, parseIp, parseIPv4Number
} from '../../src/mmdb/ip-address.js'

t.test('parseIp accepts exactly the addresses Node accepts (zone ids aside)', async (t) => {
  const cases = [
    '1.1.1.1', '0.0.0.0', '255.255.255.255', '01.1.1.1', '1.2.3.04', '1.1.1', '256.1.1.1', '1.1.1.1.1', '0x1.1.1.1',
    '1.1.1.1 ', ' 1.1.1.1', '', '.', '1..1.1',
    '::', '::1', '1::', '::1.2.3.4', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7', ':1::', '1:::2',
    '12345::', '::01.2.3.4', '1::2::3', '00::', '0000:0000::', 'FFFF::', 'g::', '::1.2.3', '[::1]', '::1/128',
    '1.2.3.4::', '::1.2.3.4:5', '2001:db8::1'
  ]
  for (const text of cases) t.equal(parseIp(text) !== undefined, isIP(text) !== 0, JSON.stringify(text))

  const token = fc.constantFrom('0', '1', '01', 'ff', 'FFFF', '12345', 'g', ':', ':', '::', '.', '1.2.3.4', '256', '255')
  t.doesNotThrow(() => fc.assert(fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
    const text = tokens.join('')
    return (parseIp(text) !== undefined) === (isIP(text) !== 0)
  }), { numRuns: 5000 }))
})

t.test('IPv6 text is RFC 5952 canonical (as the WHATWG URL serializer writes it)', async (t) => {
  const cases: Array<[string, string]> = [
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'] // the longest run
  ]
  for (const [input, want] of cases) {
    const ip = parseIp(input)
    t.equal(ip === undefined ? undefined : formatIPv6(ip.bytes), want, input)
  }
  const words = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  t.doesNotThrow(() => fc.assert(fc.property(words, (w) => {
    const bytes = new Uint8Array(16)
    w.forEach((word, i) => { bytes[i * 2] = word >> 8; bytes[i * 2 + 1] = word & 255 })
    const text = formatIPv6(bytes)
    const whatwg = new URL(`http://[${w.map((x) => x.toString(16)).join(':')}]/`).hostname.slice(1, -1)
    const back = parseIp(text)
    return text === whatwg && back !== undefined && Buffer.from(back.bytes).equals(Buffer.from(bytes))
  }), { numRuns: 2000 }))
})

t.test('IPv4 numbers and text', async (t) => {
  t.equal(parseIPv4Number('255.255.255.255'), 0xffffffff)
  t.equal(parseIPv4Number('0.0.0.0'), 0)
  t.equal(parseIPv4Number('1.2.3.4'), 0x01020304)
  t.doesNotThrow(() => fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
    const text = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`
    const ip = parseIp(text)
    return parseIPv4Number(text) === n && ip !== undefined && formatIPv4(ip.bytes) === text
  })))
})

t.test('CIDR parsing', async (t) => {
  const cases: Array<[string, number | undefined]> = [
    ['10.0.0.0/8', 8], ['10.0.0.1', 32], ['0.0.0.0/0', 0], ['2001:db8::/32', 32], ['::/0', 0], ['::1', 128],
    ['10.0.0.1/8', undefined], ['10.0.0.0/33', undefined], ['10.0.0.0/08', undefined], ['10.0.0.0/', undefined],
    ['2001:db8::/129', undefined], ['2001:db8::1/64', undefined], ['x/8', undefined], ['10.0.0.0/-1', undefined]
  ]
  for (const [text, prefix] of cases) t.equal(parseCidr(text)?.prefixLength, prefix, text)
})

t.test('prefix matching and big integers', async (t) => {
  const net = parseCidr('10.128.0.0/9')?.bytes as Uint8Array
  t.ok(bytesMatchPrefix(parseIp('10.200.1.1')?.bytes as Uint8Array, net, 9))
  t.notOk(bytesMatchPrefix(parseIp('10.127.1.1')?.bytes as Uint8Array, net, 9))
  t.ok(bytesMatchPrefix(parseIp('99.1.1.1')?.bytes as Uint8Array, net, 0))
  t.equal(bytesToBigInt(parseIp('::1:0')?.bytes as Uint8Array), 65536n)
  t.same(Array.from(bigIntToBytes(0x01020304n, 4)), [1, 2, 3, 4])
})
