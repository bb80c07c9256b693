import type { AppConfig } from '../config/app-config.js'
import { sourceIds } from '../scoring/data-versions.js'
import { IpDataKind, IpDataRole } from '../signals/ip/data-source.js'
import type { IpDataKindName, IpDataRoleName, IpDataSource } from '../signals/ip/data-source.js'
import { loadHostingFile } from '../signals/ip/hosting-list.js'
import { asnBuildHint } from '../signals/ip/ip-intel.js'
import { openMmdbFile } from '../signals/ip/mmdb-file.js'
import { loadTorExits } from '../signals/ip/tor-exits.js'
import { ageDays, ageLimitOf, DEFAULT_AGE_LIMITS, staleWarning } from './freshness.js'
import type { AgeLimits } from './freshness.js'

export const SourceState = {
  OK: 'ok',
  STALE: 'stale',
  MISSING: 'missing',
  INVALID: 'invalid'
} as const
export type SourceState = typeof SourceState[keyof typeof SourceState]

/** One configured data file as `riskgate data status` reports it. */
export interface SourceStatus {
  id: string
  role: IpDataRoleName
  kind: IpDataKindName
  path: string
  state: SourceState
  database_type?: string
  built_at?: string
  age_days?: number
  max_age_days?: number
  /** MMDB: search tree nodes; lists: addresses, ASNs or networks */
  entries?: number
  /** why it is stale, missing or invalid */
  problem?: string
}

export interface DataStatus {
  sources: SourceStatus[]
  /** roles nothing is configured for (what signals stay unknown) */
  unconfigured: IpDataRoleName[]
  /** true when every source is loadable and fresh */
  ok: boolean
  /** some source is missing or invalid: riskgate would not start on it (always a failure) */
  broken: boolean
  /** some source loads but is older than its limit (a warning; a failure with `--strict`) */
  stale: boolean
}

/**
 * Loads every configured file on its own, as the server would (same loaders, same checks), and
 * reports each with its date, age and size: one broken file does not hide the others.
 */
export async function inspectDataSources (data: AppConfig['data'], nowMs: number, limits: AgeLimits = data.maxAgeDays ?? DEFAULT_AGE_LIMITS): Promise<DataStatus> {
  const files: Array<{ role: IpDataRoleName, kind: IpDataKindName, path: string }> = []
  if (data.countryDb !== undefined) files.push({ role: IpDataRole.COUNTRY, kind: IpDataKind.MMDB, path: data.countryDb })
  if (data.asnDb !== undefined) files.push({ role: IpDataRole.ASN, kind: IpDataKind.MMDB, path: data.asnDb })
  if (data.anonymousDb !== undefined) files.push({ role: IpDataRole.ANONYMOUS, kind: IpDataKind.MMDB, path: data.anonymousDb })
  if (data.connectionTypeDb !== undefined) files.push({ role: IpDataRole.CONNECTION_TYPE, kind: IpDataKind.MMDB, path: data.connectionTypeDb })
  if (data.torExitsFile !== undefined) files.push({ role: IpDataRole.TOR_EXITS, kind: IpDataKind.LIST, path: data.torExitsFile })
  for (const path of data.hostingAsnFiles ?? []) files.push({ role: IpDataRole.HOSTING, kind: IpDataKind.LIST, path })

  const ids = sourceIds(files.map((f) => ({ name: f.role, path: f.path })))
  const sources = await Promise.all(files.map(async (file, i): Promise<SourceStatus> => {
    const base = { id: ids[i] as string, role: file.role, kind: file.kind, path: file.path }
    const limit = ageLimitOf({ kind: file.kind, name: file.role }, limits)
    let source: IpDataSource
    try {
      source = await load(file.role, file.path)
    } catch (err) {
      const missing = ((err as { cause?: { code?: unknown } }).cause)?.code === 'ENOENT'
      return {
        ...base,
        state: missing ? SourceState.MISSING : SourceState.INVALID,
        ...(limit === undefined ? {} : { max_age_days: limit }),
        problem: err instanceof Error ? err.message : String(err)
      }
    }
    const stale = staleWarning(source, nowMs, limits)
    const out: SourceStatus = {
      ...base,
      state: stale === undefined ? SourceState.OK : SourceState.STALE,
      built_at: source.built_at,
      age_days: ageDays(source.built_at, nowMs)
    }
    if (source.database_type !== undefined) out.database_type = source.database_type
    if (limit !== undefined) out.max_age_days = limit
    const entries = source.entries ?? source.node_count
    if (entries !== undefined) out.entries = entries
    if (stale !== undefined) out.problem = stale
    return out
  }))
  const unconfigured = [IpDataRole.COUNTRY, IpDataRole.ASN, IpDataRole.ANONYMOUS, IpDataRole.CONNECTION_TYPE, IpDataRole.TOR_EXITS, IpDataRole.HOSTING]
    .filter((role) => !files.some((f) => f.role === role))
  return {
    sources,
    unconfigured,
    ok: sources.every((s) => s.state === SourceState.OK),
    broken: sources.some((s) => s.state === SourceState.MISSING || s.state === SourceState.INVALID),
    stale: sources.some((s) => s.state === SourceState.STALE)
  }
}

async function load (role: IpDataRoleName, path: string): Promise<IpDataSource> {
  switch (role) {
    case IpDataRole.COUNTRY:
    case IpDataRole.ANONYMOUS:
    case IpDataRole.CONNECTION_TYPE:
      return (await openMmdbFile(path, role)).source
    case IpDataRole.ASN:
      return (await openMmdbFile(path, role, asnBuildHint(path))).source
    case IpDataRole.TOR_EXITS:
      return (await loadTorExits(path)).source
    case IpDataRole.HOSTING:
      return (await loadHostingFile(path)).source
  }
}
