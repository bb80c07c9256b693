import type { IpDataSource } from '../signals/ip/data-source.js'
import { IpDataKind, IpDataRole } from '../signals/ip/data-source.js'
import { refreshHint } from './refresh-hint.js'

/**
 * How old IP data may get before riskgate warns (days). MMDB databases (country, ASN, anonymizer)
 * are rebuilt by their publishers daily to monthly; the Tor exit list changes every hour. Hosting
 * lists have no limit: they are maintained by hand and their date is only the file's
 * modification time. Stale data is a warning (/readyz, `riskgate data status`), never unready.
 */
export interface AgeLimits {
  mmdb: number
  tor: number
}

export const DEFAULT_AGE_LIMITS: AgeLimits = { mmdb: 45, tor: 2 }

const DAY_MS = 86_400_000

/** The age limit in days of a source, or undefined when none applies. */
export function ageLimitOf (source: Pick<IpDataSource, 'kind' | 'name'>, limits: AgeLimits): number | undefined {
  if (source.kind === IpDataKind.MMDB) return limits.mmdb
  if (source.name === IpDataRole.TOR_EXITS) return limits.tor
  return undefined
}

/** Days between the build date and now, one decimal (negative for a date in the future). */
export function ageDays (builtAt: string, nowMs: number): number {
  return Math.floor((nowMs - Date.parse(builtAt)) / DAY_MS * 10) / 10
}

/** The warning for data older than its limit, with the command that fixes it (see refreshHint), or undefined. */
export function staleWarning (source: Pick<IpDataSource, 'kind' | 'name' | 'built_at'> & { path?: string }, nowMs: number, limits: AgeLimits): string | undefined {
  const limit = ageLimitOf(source, limits)
  if (limit === undefined) return undefined
  const age = ageDays(source.built_at, nowMs)
  if (!(age > limit)) return undefined
  return `stale: built ${source.built_at.slice(0, 10)}, ${age} days old, over the ${limit}-day limit: ${refreshHint(source)}`
}

/** The warning for a replacement that was refused on reload. */
export function refusedWarning (refused: { at: string, error: string }): string {
  return `replacement refused at ${refused.at}: ${refused.error}; still serving the data loaded before`
}
