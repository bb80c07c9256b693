import { IpDataRole } from '../../signals/ip/data-source.js'
import type { IpDataRoleName } from '../../signals/ip/data-source.js'
import { roleMismatch } from '../../signals/ip/mmdb-file.js'

/**
 * The MaxMind account `riskgate data update` downloads with, from the environment it is given:
 * RISKGATE_MAXMIND_ACCOUNT_ID, RISKGATE_MAXMIND_LICENSE_KEY and RISKGATE_MAXMIND_EDITIONS
 * (comma-separated edition IDs, default GeoLite2-Country,GeoLite2-ASN). Only the update command
 * reads them; the server never downloads. The license key is a secret: it goes into the
 * Authorization header and nowhere else.
 */
export const MAXMIND_DOWNLOAD_URL = 'https://download.maxmind.com'
export const DEFAULT_MAXMIND_EDITIONS = ['GeoLite2-Country', 'GeoLite2-ASN'] as const

export interface MaxmindEdition {
  id: string
  /** the role riskgate gives it (RISKGATE_MMDB_COUNTRY, _ASN, _ANONYMOUS or _CONNECTION_TYPE) */
  role: IpDataRoleName
}

export interface MaxmindSettings {
  accountId: string
  licenseKey: string
  editions: MaxmindEdition[]
}

export type MaxmindSettingsResult =
  | { ok: true, settings: MaxmindSettings | undefined }
  | { ok: false, message: string }

const ROLES = [IpDataRole.COUNTRY, IpDataRole.ASN, IpDataRole.ANONYMOUS, IpDataRole.CONNECTION_TYPE] as const

/** The role of a MaxMind edition: the first of country, ASN, anonymizer, connection type whose database types it fits. */
export function editionRole (edition: string): IpDataRoleName | undefined {
  if (!/^(?:GeoIP2|GeoLite2|GeoIP)-[A-Za-z0-9-]+$/.test(edition)) return undefined
  return ROLES.find((role) => roleMismatch(role, edition) === undefined)
}

/** Undefined settings when neither the account ID nor the license key is set. */
export function maxmindSettings (env: Record<string, string | undefined>): MaxmindSettingsResult {
  const accountId = env.RISKGATE_MAXMIND_ACCOUNT_ID?.trim() ?? ''
  const licenseKey = env.RISKGATE_MAXMIND_LICENSE_KEY?.trim() ?? ''
  if (accountId === '' && licenseKey === '') return { ok: true, settings: undefined }
  if (accountId === '') return { ok: false, message: 'RISKGATE_MAXMIND_LICENSE_KEY is set but RISKGATE_MAXMIND_ACCOUNT_ID is not: set both' }
  if (licenseKey === '') return { ok: false, message: 'RISKGATE_MAXMIND_ACCOUNT_ID is set but RISKGATE_MAXMIND_LICENSE_KEY is not: set both' }
  if (!/^[0-9]{1,12}$/.test(accountId)) return { ok: false, message: 'RISKGATE_MAXMIND_ACCOUNT_ID must be the numeric account ID' }
  if (/[\s:]/.test(licenseKey)) return { ok: false, message: 'RISKGATE_MAXMIND_LICENSE_KEY must not contain spaces or colons' }
  const listed = (env.RISKGATE_MAXMIND_EDITIONS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  const ids = listed.length === 0 ? [...DEFAULT_MAXMIND_EDITIONS] : [...new Set(listed)]
  const editions: MaxmindEdition[] = []
  for (const id of ids) {
    const role = editionRole(id)
    if (role === undefined) {
      return { ok: false, message: `RISKGATE_MAXMIND_EDITIONS: ${id.slice(0, 60)} is not a MaxMind edition riskgate uses (a City, Country, Enterprise, ASN, ISP, Anonymous-IP, IP-Risk, Anonymous-Plus, Residential-Proxy or Connection-Type database)` }
    }
    editions.push({ id, role })
  }
  return { ok: true, settings: { accountId, licenseKey, editions } }
}
