import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Reader } from 'maxmind'
import type { Response } from 'maxmind'
import { MmdbWriter } from '../../src/mmdb/writer.js'
import type { MmdbWriterOptions } from '../../src/mmdb/writer.js'
import type { MmdbValue } from '../../src/mmdb/data-types.js'

/** Networks (CIDR, or [first, last] ranges) and their records. */
export type FixtureEntries = Array<[string | [string, string], MmdbValue]>

export function buildMmdb (options: MmdbWriterOptions, entries: FixtureEntries): Buffer {
  const writer = new MmdbWriter(options)
  for (const [network, value] of entries) {
    if (typeof network === 'string') writer.insert(network, value)
    else writer.insertRange(network[0], network[1], value)
  }
  return writer.build()
}

/** Builds the database with riskgate's writer and reads it back with the maxmind package. */
export function readBack (options: MmdbWriterOptions, entries: FixtureEntries): Reader<Response> {
  return new Reader(buildMmdb(options, entries))
}

export function writeMmdb (dir: string, file: string, options: MmdbWriterOptions, entries: FixtureEntries): string {
  const path = join(dir, file)
  writeFileSync(path, buildMmdb(options, entries))
  return path
}

const BUILT = new Date('2026-01-02T03:04:05Z')

/**
 * Test databases in the shapes riskgate reads, with documentation-style public addresses.
 * 192.168.0.0/16 is deliberately mapped to AU in the country fixtures (the trap of one open
 * dataset): a private address must never be looked up.
 */
export function writeIpFixtures (dir: string): {
  countryGeoIP2: string
  countryFlat: string
  countryIPv4Only: string
  asn: string
  isp: string
  anonymous: string
  ipRisk: string
  anonymizerNested: string
} {
  return {
    countryGeoIP2: writeMmdb(dir, 'country-geoip2.mmdb', { databaseType: 'GeoLite2-City', buildEpoch: BUILT, languages: ['en'] }, [
      ['81.2.69.0/24', { country: { iso_code: 'GB', names: { en: 'United Kingdom' } }, registered_country: { iso_code: 'US' } }],
      ['89.160.20.0/24', { registered_country: { iso_code: 'SE' } }],
      ['2001:218::/32', { country: { iso_code: 'JP' } }],
      ['192.168.0.0/16', { country: { iso_code: 'AU' } }],
      ['11.0.0.0/8', { city: { names: { en: 'Nowhere' } } }]
    ]),
    countryFlat: writeMmdb(dir, 'country-flat.mmdb', { databaseType: 'country ipvAll', buildEpoch: BUILT }, [
      [['1.0.0.0', '1.0.0.255'], { country_code: 'AU' }],
      ['8.8.8.0/24', { country_code: 'us' }],
      ['2001:4860::/32', { country_code: 'US' }],
      ['192.168.0.0/16', { country_code: 'AU' }]
    ]),
    countryIPv4Only: writeMmdb(dir, 'country-ipv4.mmdb', { databaseType: 'country ipv4', ipVersion: 4, buildEpoch: BUILT }, [
      ['0.0.0.0/1', { country_code: 'ZZ' }],
      ['32.0.0.0/3', { country_code: 'US' }],
      ['128.0.0.0/1', { country_code: 'AU' }]
    ]),
    asn: writeMmdb(dir, 'asn.mmdb', { databaseType: 'GeoLite2-ASN', buildEpoch: BUILT }, [
      ['1.128.0.0/11', { autonomous_system_number: 1221, autonomous_system_organization: 'Telstra Pty Ltd' }],
      ['12.81.96.0/19', { autonomous_system_number: 7018 }],
      ['3.0.0.0/9', { autonomous_system_number: 16509, autonomous_system_organization: 'Amazon.com, Inc.' }],
      ['2600:1f00::/24', { autonomous_system_number: 16509, autonomous_system_organization: 'Amazon.com, Inc.' }],
      ['81.2.69.0/24', { autonomous_system_number: 20712, autonomous_system_organization: 'Andrews & Arnold Ltd' }],
      ['192.168.0.0/16', { autonomous_system_number: 64512, autonomous_system_organization: 'private' }]
    ]),
    isp: writeMmdb(dir, 'isp.mmdb', { databaseType: 'GeoIP2-ISP', buildEpoch: BUILT }, [
      ['1.128.0.0/11', { autonomous_system_number: 1221, autonomous_system_organization: 'Telstra Pty Ltd', isp: 'Telstra Internet', organization: 'Telstra Internet' }],
      ['1.0.128.0/17', { isp: 'TOT Public Company Limited', organization: 'TOT Public Company Limited' }]
    ]),
    anonymous: writeMmdb(dir, 'anonymous.mmdb', { databaseType: 'GeoIP2-Anonymous-IP', buildEpoch: BUILT }, [
      ['81.2.69.0/24', { is_anonymous: true, is_anonymous_vpn: true, is_hosting_provider: true, is_public_proxy: true, is_residential_proxy: true, is_tor_exit_node: true }],
      ['1.124.213.1/32', { is_anonymous: true, is_anonymous_vpn: true, is_tor_exit_node: true }],
      ['71.160.223.0/24', { is_anonymous: true, is_hosting_provider: true }],
      ['186.30.236.0/24', { is_anonymous: true, is_public_proxy: true }],
      ['8.8.8.0/24', {}],
      ['2001:db8::/32', { is_anonymous: true }]
    ]),
    ipRisk: writeMmdb(dir, 'ip-risk.mmdb', { databaseType: 'GeoIP2-IP-Risk', buildEpoch: BUILT }, [
      ['214.2.3.5/32', { ip_risk: 90, is_anonymous: true, is_anonymous_vpn: true, is_residential_proxy: true, is_tor_exit_node: true }],
      ['214.2.3.6/32', { ip_risk: 85 }],
      ['55.0.0.1/32', { ip_risk: 0.5 }]
    ]),
    anonymizerNested: writeMmdb(dir, 'anonymizer-nested.mmdb', { databaseType: 'Example-Anonymizer', buildEpoch: BUILT }, [
      ['6.1.2.0/24', { anonymizer: { confidence: 95, is_anonymous: true, is_anonymous_vpn: true, provider_name: 'Test VPN' } }],
      ['7.1.2.0/24', { anonymizer: { is_residential_proxy: true } }]
    ])
  }
}
