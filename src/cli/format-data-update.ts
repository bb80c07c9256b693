import { existsSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import type { AppConfig } from '../config/app-config.js'
import { ageDays } from '../data/freshness.js'
import { UpdateStatus } from '../data/update/outcome.js'
import type { UpdateOutcome } from '../data/update/outcome.js'
import type { CliIo } from './command.js'

// What `riskgate data update` prints on stdout once it is done.

const ROLE_VARIABLE: Record<string, string> = {
  country: 'RISKGATE_MMDB_COUNTRY',
  asn: 'RISKGATE_MMDB_ASN',
  anonymous: 'RISKGATE_MMDB_ANONYMOUS',
  connection_type: 'RISKGATE_MMDB_CONNECTION_TYPE'
}

export interface SummaryOptions {
  /** the data configuration after the update (what riskgate would use now) */
  data: AppConfig['data']
  /** RISKGATE_DATA_MAX_AGE_DAYS */
  maxAgeDays: number
  /** a MaxMind account is configured */
  accountSet: boolean
}

function size (bytes: number): string {
  return bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`
}

function shown (path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
}

/** One line per database, then the settings that point at them, then warnings. */
export function summary (outcomes: readonly UpdateOutcome[], options: SummaryOptions, io: Pick<CliIo, 'cwd' | 'env'>, nowMs = Date.now()): string {
  const cwd = io.cwd
  const lines: string[] = []
  const width = Math.max(...outcomes.map((o) => o.id.length), 7)
  for (const o of outcomes) {
    const parts = [o.id.padEnd(width), o.status.padEnd(7)]
    if (o.release !== undefined) parts.push(o.release)
    if (o.built_at !== undefined) parts.push(`built ${o.built_at.slice(0, 10)}`)
    if (o.bytes !== undefined) parts.push(size(o.bytes))
    if (o.status === UpdateStatus.UPDATED) {
      parts.push(`-> ${shown(o.path, cwd)}`)
      if (o.previous !== undefined) parts.push(`(was ${o.previous.release}, built ${o.previous.built_at.slice(0, 10)})`)
    } else if (o.status === UpdateStatus.CURRENT) {
      parts.push(`(${o.message ?? 'up to date'})`)
    } else {
      parts.push(`: ${o.message ?? ''}; ${shown(o.path, cwd)} was left as it was`)
    }
    lines.push(parts.join('  '))
  }

  const settings: string[] = []
  for (const o of outcomes) {
    const variable = ROLE_VARIABLE[o.role]
    const onDisk = o.status === UpdateStatus.UPDATED || (o.status === UpdateStatus.CURRENT && existsSync(o.path))
    if (variable === undefined || !onDisk) continue
    const configured = configuredPath(options.data, o.role)
    if (configured !== undefined && resolve(cwd, configured) === o.path) {
      const how = io.env[variable] === undefined ? `${variable} unset: the updated open data is the default` : variable
      settings.push(`  ${o.id}: in use (${how}); a running riskgate reloads it, one started on other data uses it from its next start`)
    } else {
      settings.push(`  ${o.id}: ${variable}=${o.path}${configured === undefined ? '' : `   (now: ${shown(resolve(cwd, configured), cwd)})`}`)
    }
  }
  if (settings.length > 0) lines.push('', 'settings:', ...settings)

  const warnings: string[] = []
  for (const o of outcomes) {
    if ((o.status === UpdateStatus.UPDATED || o.status === UpdateStatus.CURRENT) && o.built_at !== undefined) {
      const age = ageDays(o.built_at, nowMs)
      if (age > options.maxAgeDays) {
        warnings.push(`warning: ${o.id}: the newest release (${o.release ?? ''}) was built ${o.built_at.slice(0, 10)}, ${age} days ago, over the ${options.maxAgeDays}-day limit: its publisher has released nothing newer. ` +
          (o.source === 'open' ? 'A MaxMind account gives fresher country and ASN databases (RISKGATE_MAXMIND_ACCOUNT_ID, RISKGATE_MAXMIND_LICENSE_KEY; see docs/data.md).' : 'Check the edition with MaxMind.'))
      }
    }
  }
  if (!options.accountSet) {
    warnings.push('note: no MaxMind account (RISKGATE_MAXMIND_ACCOUNT_ID, RISKGATE_MAXMIND_LICENSE_KEY): only the open data was updated')
  }
  if (warnings.length > 0) lines.push('', ...warnings)
  const count = (status: UpdateStatus): number => outcomes.filter((o) => o.status === status).length
  lines.push('', `${count(UpdateStatus.UPDATED)} updated, ${count(UpdateStatus.CURRENT)} already current, ${count(UpdateStatus.REFUSED)} refused, ${count(UpdateStatus.FAILED)} failed`)
  return lines.join('\n') + '\n'
}

function configuredPath (data: AppConfig['data'], role: string): string | undefined {
  if (role === 'country') return data.countryDb
  if (role === 'asn') return data.asnDb
  if (role === 'anonymous') return data.anonymousDb
  if (role === 'connection_type') return data.connectionTypeDb
  return undefined
}
