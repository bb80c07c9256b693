import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the bundled open data lives (DESIGN.md, "Data"): the defaults the configuration falls back
 * to when no database is configured. Nothing is downloaded at run time.
 */
export interface BundledDataPaths {
  /** NRO-derived country database (CC BY 4.0), @ip-location-db/geo-whois-asn-country-mmdb */
  countryDb: string
  /** compiled by `npm run data:build` from @ip-location-db/asn (CC BY 4.0) */
  asnDb: string
  /** the project's hosting/cloud provider ASN list */
  hostingAsns: string
}

export const COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb'
export const COUNTRY_FILE = 'geo-whois-asn-country.mmdb'
export const ASN_PACKAGE = '@ip-location-db/asn'

const require = createRequire(import.meta.url)

/** The folder of riskgate's package.json, found from this module (works from src/ and dist/src/). */
export function projectRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }
      if (pkg.name === 'riskgate') return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the riskgate project root (package.json)')
    dir = parent
  }
}

/** The folder of an installed npm package, resolved the way Node resolves it. */
export function packageDir (name: string): string {
  return dirname(require.resolve(`${name}/package.json`))
}

/** The version of an installed npm package. */
export function packageVersion (name: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version?: unknown }
  if (typeof pkg.version !== 'string') throw new Error(`${name} has no version`)
  return pkg.version
}

export function bundledDataPaths (): BundledDataPaths {
  const root = projectRoot()
  return {
    countryDb: join(packageDir(COUNTRY_PACKAGE), COUNTRY_FILE),
    asnDb: resolve(root, 'data', 'build', 'asn.mmdb'),
    hostingAsns: resolve(root, 'data', 'hosting-asns.txt')
  }
}
