import { resolve } from 'node:path'
import type { DataSource, DataSourceView } from '../schemas/health.js'
import { bundledDataPaths } from '../signals/ip/bundled-data.js'

// What /readyz (public, no key) shows of the loaded data: each file by its name, never the folders
// of the machine it runs on. `riskgate data status` runs on the machine and keeps full paths.

/** an absolute path in a message: `/...`, `C:\...` or `C:/...`, `\\server\...` (not a URL's `//host`) */
const ABSOLUTE_PATH = /(?<![\w.~:/\\-])(?:[A-Za-z]:[\\/]|\\\\|\/)[^\s'"`,;()<>[\]]*/g

/** The last segment of a path, whichever separator it uses. */
export function fileName (path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '')
  return parts[parts.length - 1] ?? ''
}

/** The text with each path of `paths` (as configured, relative or not) and any other absolute path cut to its file name. */
export function withoutFolders (text: string, paths: readonly string[]): string {
  let out = text
  const known = [...new Set(paths.flatMap((p) => [p, resolve(p)]))].sort((a, b) => b.length - a.length)
  for (const path of known) {
    if (path !== '' && fileName(path) !== path) out = out.split(path).join(fileName(path))
  }
  return out.replace(ABSOLUTE_PATH, (path) => fileName(path))
}

/** The files of the bundled open data (resolved), to tell them from files the operator configured. */
export function bundledFiles (): ReadonlySet<string> {
  try {
    const bundled = bundledDataPaths()
    return new Set([bundled.countryDb, bundled.asnDb, bundled.hostingAsns].map((p) => resolve(p)))
  } catch {
    // a package of the bundled data is not installed: then nothing loaded is bundled
    return new Set()
  }
}

/** The sources as /readyz shows them: file name and whether it is bundled data; warnings without folders. */
export function publicDataSources (sources: readonly DataSource[], bundled: ReadonlySet<string>): DataSourceView[] {
  const paths = sources.map((s) => s.path)
  return sources.map(({ path, warnings, ...rest }) => ({
    ...rest,
    file: fileName(path),
    bundled: bundled.has(resolve(path)),
    warnings: warnings.map((w) => withoutFolders(w, paths))
  }))
}
