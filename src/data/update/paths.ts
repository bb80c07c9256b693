import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { COUNTRY_FILE } from '../../signals/ip/bundled-data.js'

/**
 * Where `riskgate data update` puts the open data when no `--dir` is given: `data/` under
 * RISKGATE_DEV_STATE_DIR (`./.riskgate/data`). When a database is present there and its
 * RISKGATE_MMDB_* variable is unset, riskgate uses it instead of the bundled copy: the newest
 * data fetched on this machine beats the data shipped in the npm package. Without them (a fresh
 * clone, no network) the bundled data is used, as before.
 */
export const UPDATED_DATA_FOLDER = 'data'

export const OPEN_DATA_FILES = {
  country: COUNTRY_FILE,
  asn: 'asn.mmdb'
} as const

export function defaultUpdateDir (devStateDir: string): string {
  return join(devStateDir, UPDATED_DATA_FOLDER)
}

/** The updated open databases present in the default folder (paths as configured: relative when the state dir is). */
export function updatedOpenData (devStateDir: string, cwd: string): { countryDb?: string, asnDb?: string } {
  const dir = defaultUpdateDir(devStateDir)
  const present = (file: string): string | undefined => {
    const path = join(dir, file)
    return existsSync(isAbsolute(path) ? path : resolve(cwd, path)) ? path : undefined
  }
  const out: { countryDb?: string, asnDb?: string } = {}
  const countryDb = present(OPEN_DATA_FILES.country)
  const asnDb = present(OPEN_DATA_FILES.asn)
  if (countryDb !== undefined) out.countryDb = countryDb
  if (asnDb !== undefined) out.asnDb = asnDb
  return out
}
