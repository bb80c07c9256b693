import t from 'tap'
import { normalizeIp } from '../../../src/signals/ip/normalize.js'
import { specialRange, SpecialRange } from '../../../src/signals/ip/special-ranges.js'
import type { SpecialRangeName } from '../../../src/signals/ip/special-ranges.js'

const cases: Array<[string, SpecialRangeName | undefined]> = [
  // IPv4
  ['0.0.0.0', SpecialRange.THIS_NETWORK],
  ['0.255.255.255', SpecialRange.THIS_NETWORK],
  ['1.0.0.0', undefined],
  ['9.255.255.255', undefined],
  ['10.0.0.0', SpecialRange.PRIVATE],
  ['10.255.255.255', SpecialRange.PRIVATE],
  ['11.0.0.0', undefined],
  ['100.63.255.255', undefined],
  ['100.64.0.0', SpecialRange.SHARED_CGNAT],
  ['100.127.255.255', SpecialRange.SHARED_CGNAT],
  ['100.128.0.0', undefined],
  ['127.0.0.1', SpecialRange.LOOPBACK],
  ['169.254.10.1', SpecialRange.LINK_LOCAL],
  ['172.15.255.255', undefined],
  ['172.16.0.0', SpecialRange.PRIVATE],
  ['172.31.255.255', SpecialRange.PRIVATE],
  ['172.32.0.0', undefined],
  ['192.0.0.8', SpecialRange.IETF_PROTOCOL],
  ['192.0.2.1', SpecialRange.DOCUMENTATION],
  ['192.0.3.1', undefined],
  ['192.88.99.1', undefined],
  ['192.167.255.255', undefined],
  ['192.168.1.1', SpecialRange.PRIVATE],
  ['192.169.0.0', undefined],
  ['198.17.255.255', undefined],
  ['198.18.0.1', SpecialRange.BENCHMARKING],
  ['198.19.255.255', SpecialRange.BENCHMARKING],
  ['198.20.0.0', undefined],
  ['198.51.100.7', SpecialRange.DOCUMENTATION],
  ['203.0.113.200', SpecialRange.DOCUMENTATION],
  ['223.255.255.255', undefined],
  ['224.0.0.1', SpecialRange.MULTICAST],
  ['239.255.255.255', SpecialRange.MULTICAST],
  ['240.0.0.1', SpecialRange.RESERVED],
  ['255.255.255.254', SpecialRange.RESERVED],
  ['255.255.255.255', SpecialRange.BROADCAST],
  ['8.8.8.8', undefined],
  // IPv6
  ['::', SpecialRange.UNSPECIFIED],
  ['::1', SpecialRange.LOOPBACK],
  ['::2', SpecialRange.IPV4_COMPATIBLE],
  ['64:ff9b::808:808', SpecialRange.NAT64],
  ['64:ff9b:1::1', SpecialRange.NAT64],
  ['100::1', SpecialRange.DISCARD],
  ['2001::1', undefined], // Teredo: globally reachable
  ['2001:1::1', undefined],
  ['2001:1::4', SpecialRange.IETF_PROTOCOL],
  ['2001:2::1', SpecialRange.IETF_PROTOCOL], // benchmarking
  ['2001:3::1', undefined], // AMT
  ['2001:4:112::1', undefined], // AS112-v6
  ['2001:10::1', SpecialRange.IETF_PROTOCOL], // ORCHID (deprecated)
  ['2001:20::1', undefined], // ORCHIDv2
  ['2001:1ff:ffff::1', SpecialRange.IETF_PROTOCOL],
  ['2001:200::1', undefined],
  ['2001:db7:ffff::1', undefined],
  ['2001:db8::1', SpecialRange.DOCUMENTATION],
  ['2001:db8:ffff::1', SpecialRange.DOCUMENTATION],
  ['2001:db9::1', undefined],
  ['2002:c000:204::1', undefined], // 6to4
  ['2600:1f18::1', undefined],
  ['3fff::1', SpecialRange.DOCUMENTATION],
  ['3fff:1000::1', undefined],
  ['4000::1', SpecialRange.NOT_GLOBAL_UNICAST],
  ['5f00::1', SpecialRange.SRV6_SID],
  ['fc00::1', SpecialRange.UNIQUE_LOCAL],
  ['fd12:3456::1', SpecialRange.UNIQUE_LOCAL],
  ['fe80::1', SpecialRange.LINK_LOCAL],
  ['febf::1', SpecialRange.LINK_LOCAL],
  ['fec0::1', SpecialRange.SITE_LOCAL],
  ['ff02::1', SpecialRange.MULTICAST]
]

t.test('special-purpose ranges, with their edges', async (t) => {
  for (const [address, want] of cases) {
    const ip = normalizeIp(address)
    if (!ip.ok) {
      t.fail(`${address} should parse`)
      continue
    }
    t.equal(specialRange(ip.bytes), want, address)
    t.equal(ip.isPrivate, want !== undefined, `${address} is_private`)
    t.equal(ip.range, want, `${address} range`)
  }
})

t.test('IPv4-mapped private addresses are private once unmapped', async (t) => {
  const ip = normalizeIp('::ffff:10.1.2.3')
  t.ok(ip.ok && ip.isPrivate && ip.range === SpecialRange.PRIVATE && ip.version === 4)
})
