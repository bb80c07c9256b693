import { bytesMatchPrefix, parseCidr } from '../../mmdb/ip-address.js'

/**
 * Address ranges that never belong to a shopper on the public internet: private, loopback,
 * link-local, shared (CGNAT), documentation, benchmarking, multicast, reserved. Addresses in them
 * are flagged `is_private` and never looked up: open databases map some of them to a country
 * (one maps 192.168.0.0/16 to AU), which would make rules fire on nonsense.
 *
 * Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates) and
 * the IANA IPv6 Address Space registry. Globally reachable special blocks (AS112, AMT, Teredo,
 * 6to4) are not listed: they are ordinary internet addresses.
 */

export const SpecialRange = {
  THIS_NETWORK: 'this_network',
  PRIVATE: 'private',
  SHARED_CGNAT: 'shared_cgnat',
  LOOPBACK: 'loopback',
  LINK_LOCAL: 'link_local',
  IETF_PROTOCOL: 'ietf_protocol_assignments',
  DOCUMENTATION: 'documentation',
  BENCHMARKING: 'benchmarking',
  MULTICAST: 'multicast',
  RESERVED: 'reserved',
  BROADCAST: 'broadcast',
  UNSPECIFIED: 'unspecified',
  IPV4_COMPATIBLE: 'ipv4_compatible',
  IPV4_MAPPED: 'ipv4_mapped',
  NAT64: 'nat64',
  DISCARD: 'discard_only',
  ORCHID: 'orchid',
  UNIQUE_LOCAL: 'unique_local',
  SITE_LOCAL: 'site_local',
  SRV6_SID: 'srv6_sid',
  NOT_GLOBAL_UNICAST: 'not_global_unicast'
} as const
export type SpecialRangeName = typeof SpecialRange[keyof typeof SpecialRange]

interface Entry { network: Uint8Array, prefixLength: number, range: SpecialRangeName }

function table (rows: Array<[string, SpecialRangeName]>): Entry[] {
  return rows.map(([cidr, range]) => {
    const parsed = parseCidr(cidr)
    if (parsed === undefined) throw new Error(`bad special range ${cidr}`)
    return { network: parsed.bytes, prefixLength: parsed.prefixLength, range }
  })
}

// Most specific first where blocks nest (255.255.255.255/32 inside 240.0.0.0/4).
const IPV4 = table([
  ['0.0.0.0/8', SpecialRange.THIS_NETWORK],
  ['10.0.0.0/8', SpecialRange.PRIVATE],
  ['100.64.0.0/10', SpecialRange.SHARED_CGNAT],
  ['127.0.0.0/8', SpecialRange.LOOPBACK],
  ['169.254.0.0/16', SpecialRange.LINK_LOCAL],
  ['172.16.0.0/12', SpecialRange.PRIVATE],
  ['192.0.0.0/24', SpecialRange.IETF_PROTOCOL],
  ['192.0.2.0/24', SpecialRange.DOCUMENTATION],
  ['192.168.0.0/16', SpecialRange.PRIVATE],
  ['198.18.0.0/15', SpecialRange.BENCHMARKING],
  ['198.51.100.0/24', SpecialRange.DOCUMENTATION],
  ['203.0.113.0/24', SpecialRange.DOCUMENTATION],
  ['224.0.0.0/4', SpecialRange.MULTICAST],
  ['255.255.255.255/32', SpecialRange.BROADCAST],
  ['240.0.0.0/4', SpecialRange.RESERVED]
])

const IPV6 = table([
  ['::/128', SpecialRange.UNSPECIFIED],
  ['::1/128', SpecialRange.LOOPBACK],
  ['::ffff:0:0/96', SpecialRange.IPV4_MAPPED], // only reached when not unmapped
  ['::/96', SpecialRange.IPV4_COMPATIBLE], // deprecated (RFC 4291); would hit the IPv4 data of a database
  ['64:ff9b::/96', SpecialRange.NAT64],
  ['64:ff9b:1::/48', SpecialRange.NAT64],
  ['100::/64', SpecialRange.DISCARD],
  ['2001::/23', SpecialRange.IETF_PROTOCOL], // special blocks below; Teredo and AMT are excluded first
  ['2001:db8::/32', SpecialRange.DOCUMENTATION],
  ['3fff::/20', SpecialRange.DOCUMENTATION],
  ['5f00::/16', SpecialRange.SRV6_SID],
  ['fc00::/7', SpecialRange.UNIQUE_LOCAL],
  ['fe80::/10', SpecialRange.LINK_LOCAL],
  ['fec0::/10', SpecialRange.SITE_LOCAL],
  ['ff00::/8', SpecialRange.MULTICAST]
])

// Globally reachable blocks inside 2001::/23 (IANA registry): not special for our purpose.
const IPV6_GLOBAL_EXCEPTIONS = table([
  ['2001::/32', SpecialRange.IETF_PROTOCOL], // Teredo
  ['2001:1::1/128', SpecialRange.IETF_PROTOCOL], // Port Control Protocol anycast
  ['2001:1::2/128', SpecialRange.IETF_PROTOCOL], // TURN anycast
  ['2001:1::3/128', SpecialRange.IETF_PROTOCOL], // DNS-SD SRP anycast
  ['2001:3::/32', SpecialRange.IETF_PROTOCOL], // AMT
  ['2001:4:112::/48', SpecialRange.IETF_PROTOCOL], // AS112-v6
  ['2001:20::/28', SpecialRange.IETF_PROTOCOL], // ORCHIDv2
  ['2001:30::/28', SpecialRange.IETF_PROTOCOL] // drone remote ID
])

const GLOBAL_UNICAST = table([['2000::/3', SpecialRange.NOT_GLOBAL_UNICAST]])[0] as Entry

function find (entries: Entry[], bytes: Uint8Array): Entry | undefined {
  for (const entry of entries) {
    if (bytesMatchPrefix(bytes, entry.network, entry.prefixLength)) return entry
  }
  return undefined
}

/**
 * The special-purpose range an address falls in, or undefined for an ordinary public address.
 * IPv6 outside 2000::/3 (the only block IANA allocates for global unicast) is reported as
 * `not_global_unicast` when no more specific block applies.
 */
export function specialRange (bytes: Uint8Array): SpecialRangeName | undefined {
  if (bytes.length === 4) return find(IPV4, bytes)?.range
  const special = find(IPV6, bytes)
  if (special !== undefined) {
    if (special.range === SpecialRange.IETF_PROTOCOL && find(IPV6_GLOBAL_EXCEPTIONS, bytes) !== undefined) return undefined
    return special.range
  }
  if (!bytesMatchPrefix(bytes, GLOBAL_UNICAST.network, GLOBAL_UNICAST.prefixLength)) return SpecialRange.NOT_GLOBAL_UNICAST
  return undefined
}
