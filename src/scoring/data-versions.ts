import { basename } from 'node:path'
import type { IpDataSource } from '../signals/ip/data-source.js'
import type { DataSource } from '../schemas/health.js'
import { ageDays, ageLimitOf, refusedWarning, staleWarning } from '../data/freshness.js'
import type { AgeLimits } from '../data/freshness.js'

/**
 * A stable key per source: its role for the first source of a role (`country`, `hosting`), then
 * `<role>:<file name>` for the others (`hosting:my-datacenters.txt`; `:2`, `:3`... when two files
 * share a name). The same configuration always gives the same keys.
 */
export function sourceIds (sources: ReadonlyArray<Pick<IpDataSource, 'name' | 'path'>>): string[] {
  const used = new Set<string>()
  return sources.map((source) => {
    let id: string = source.name
    if (used.has(id)) id = `${source.name}:${basename(source.path)}`
    for (let n = 2; used.has(id); n++) id = `${source.name}:${basename(source.path)}:${n}`
    used.add(id)
    return id
  })
}

// one per loaded sources array (a reload makes a new array): computed once, copied per decision
const versionsOf = new WeakMap<readonly IpDataSource[], Readonly<Record<string, string>>>()

/**
 * For each decision: source key (see sourceIds) -> the build date of the data it used. One shared,
 * frozen object per loaded sources array (callers must not modify it; a reload gives a new one).
 */
export function sharedDataVersions (sources: readonly IpDataSource[]): Readonly<Record<string, string>> {
  let versions = versionsOf.get(sources)
  if (versions === undefined) {
    const out: Record<string, string> = {}
    const ids = sourceIds(sources)
    sources.forEach((source, i) => { out[ids[i] as string] = source.built_at })
    versions = Object.freeze(out)
    versionsOf.set(sources, versions)
  }
  return versions
}

/** sharedDataVersions, as a copy the caller owns */
export function dataVersions (sources: readonly IpDataSource[]): Record<string, string> {
  return { ...sharedDataVersions(sources) }
}

export interface DescribeOptions {
  /** age limits: a source older than its limit gets a `stale` warning */
  maxAgeDays?: AgeLimits
  /** replacements refused on reload (the file on disk is not what is served) */
  refused?: ReadonlyArray<{ path: string, at: string, error: string }>
}

/**
 * For /readyz: every loaded source with its key, build date, age in days and warnings (stale data,
 * a refused replacement). Warnings never make the service unready: the data still answers.
 */
export function describeSources (sources: readonly IpDataSource[], nowMs: number, options: DescribeOptions = {}): DataSource[] {
  const ids = sourceIds(sources)
  return sources.map((source, i) => {
    const out: Omit<DataSource, 'warnings'> = {
      id: ids[i] as string,
      name: source.name,
      kind: source.kind,
      path: source.path,
      built_at: source.built_at,
      age_days: ageDays(source.built_at, nowMs),
      loaded_at: source.loaded_at
    }
    const warnings: string[] = []
    if (source.database_type !== undefined) out.database_type = source.database_type
    if (source.entries !== undefined) out.entries = source.entries
    if (options.maxAgeDays !== undefined) {
      const limit = ageLimitOf(source, options.maxAgeDays)
      if (limit !== undefined) out.max_age_days = limit
      const stale = staleWarning(source, nowMs, options.maxAgeDays)
      if (stale !== undefined) warnings.push(stale)
    }
    for (const refused of options.refused ?? []) {
      if (refused.path === source.path) warnings.push(refusedWarning(refused))
    }
    return { ...out, warnings }
  })
}
