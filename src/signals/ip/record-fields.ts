import { isGeoPoint } from '../geo/geo-point.js'
import type { GeoPoint } from '../geo/geo-point.js'
import type { MmdbRecord } from './mmdb-file.js'

/**
 * Reading the fields riskgate needs out of the record shapes MaxMind and compatible databases use.
 * Each reader takes what it recognizes and leaves the rest absent (unknown), never defaulted.
 */

const COUNTRY_CODE = /^[A-Za-z]{2}$/

function child (record: MmdbRecord, key: string): MmdbRecord | undefined {
  const value = record[key]
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as MmdbRecord : undefined
}

function text (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function countryCode (value: unknown): string | undefined {
  return typeof value === 'string' && COUNTRY_CODE.test(value) ? value.toUpperCase() : undefined
}

/**
 * Country (ISO 3166-1 alpha-2, upper case) from a GeoIP2/GeoLite2 City or Country record
 * (`country.iso_code`, else `registered_country.iso_code`) or from the flat `country_code` shape
 * of the ip-location-db databases.
 */
export function countryFromRecord (record: MmdbRecord): string | undefined {
  return countryCode(child(record, 'country')?.['iso_code']) ??
    countryCode(child(record, 'registered_country')?.['iso_code']) ??
    countryCode(record['country_code'])
}

export interface AsnFields {
  asn?: number
  as_org?: string
}

function asNumber (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffffffff ? value : undefined
}

/**
 * ASN and organization from a GeoLite2-ASN record (`autonomous_system_number`,
 * `autonomous_system_organization`), a GeoIP2-ISP record (the same, plus `isp` and `organization`,
 * used as the organization when the AS organization is missing), or the `traits` of an
 * Enterprise/Insights-shaped record.
 */
export function asnFromRecord (record: MmdbRecord): AsnFields {
  const out: AsnFields = {}
  for (const r of [record, child(record, 'traits')]) {
    if (r === undefined) continue
    out.asn ??= asNumber(r['autonomous_system_number'])
    out.as_org ??= text(r['autonomous_system_organization']) ?? text(r['organization']) ?? text(r['isp'])
  }
  if (out.asn === undefined) delete out.asn
  if (out.as_org === undefined) delete out.as_org
  return out
}

export interface AnonymizerFields {
  is_anonymous: boolean
  is_anonymous_vpn: boolean
  is_hosting_provider: boolean
  is_public_proxy: boolean
  is_residential_proxy: boolean
  is_tor_exit_node: boolean
  /** GeoIP2-IP-Risk `ip_risk` (0.01..99), when the record has one */
  ip_risk?: number
}

const FLAGS = [
  'is_anonymous',
  'is_anonymous_vpn',
  'is_hosting_provider',
  'is_public_proxy',
  'is_residential_proxy',
  'is_tor_exit_node'
] as const

/**
 * Anonymizer flags from GeoIP2-Anonymous-IP, GeoIP2-IP-Risk and GeoIP-Anonymous-Plus records (flat
 * flags), the newer nested `anonymizer` object, or `traits` flags. MaxMind stores a flag only when
 * it is true and answers `{}` or nothing for a clean address, so with the database loaded every
 * missing flag is false. A GeoIP-Residential-Proxy database has no flags: any record in it means
 * a residential proxy.
 */
export function anonymizerFromRecord (record: MmdbRecord | null, databaseType: string): AnonymizerFields {
  const out: AnonymizerFields = {
    is_anonymous: false,
    is_anonymous_vpn: false,
    is_hosting_provider: false,
    is_public_proxy: false,
    is_residential_proxy: false,
    is_tor_exit_node: false
  }
  if (record === null) return out
  for (const r of [record, child(record, 'anonymizer'), child(record, 'traits')]) {
    if (r === undefined) continue
    for (const flag of FLAGS) if (r[flag] === true) out[flag] = true
  }
  if (databaseType.includes('Residential-Proxy') && Object.keys(record).length > 0) out.is_residential_proxy = true
  const risk = record['ip_risk']
  if (typeof risk === 'number' && Number.isFinite(risk)) out.ip_risk = risk
  if (out.is_anonymous_vpn || out.is_hosting_provider || out.is_public_proxy || out.is_residential_proxy || out.is_tor_exit_node) {
    out.is_anonymous = true
  }
  return out
}

/**
 * The connection type of a GeoIP2-Connection-Type record (`connection_type`) or of the `traits`
 * of an Enterprise-shaped record, as MaxMind gives it: `Cable/DSL`, `Cellular`, `Corporate`,
 * `Satellite` (older builds also `Dialup`). Undefined when the record has none.
 */
export function connectionTypeFromRecord (record: MmdbRecord): string | undefined {
  return text(record['connection_type']) ?? text(child(record, 'traits')?.['connection_type'])
}

/**
 * Where a City record places the address: MaxMind's `location.latitude` / `location.longitude`,
 * or the flat `latitude` / `longitude` of the ip-location-db city databases. Only when the record
 * names a city (`city`): a record located to its country alone carries the country's centre, which
 * is no place of the shopper's (a distance from it would mean nothing).
 */
export function locationFromRecord (record: MmdbRecord): GeoPoint | undefined {
  const city = record['city']
  if (city === undefined || city === null || city === '') return undefined
  const location = child(record, 'location') ?? record
  const latitude = location['latitude']
  const longitude = location['longitude']
  return isGeoPoint(latitude, longitude) ? { latitude: latitude as number, longitude: longitude as number } : undefined
}
