import { isAbsolute, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { AppConfig } from '../../config/app-config.js'
import { ConfigError, loadDataConfig } from '../../config/load-config.js'
import { DEFAULT_AGE_LIMITS } from '../../data/freshness.js'
import { inspectDataSources, SourceState } from '../../data/status.js'
import type { DataStatus, SourceStatus } from '../../data/status.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'

const NAME = 'data status'

const USAGE = `usage: riskgate data status [--json] [--strict]

Lists every IP data file riskgate is configured with (the same environment the server reads:
RISKGATE_MMDB_COUNTRY, RISKGATE_MMDB_ASN, RISKGATE_MMDB_ANONYMOUS, RISKGATE_MMDB_CONNECTION_TYPE,
RISKGATE_TOR_EXITS_FILE, RISKGATE_HOSTING_LISTS, else the bundled data) with its type, build date, age and size, loading
each one with the server's own checks. A database older than RISKGATE_DATA_MAX_AGE_DAYS (default
${DEFAULT_AGE_LIMITS.mmdb}) or a Tor list older than RISKGATE_TOR_MAX_AGE_DAYS (default ${DEFAULT_AGE_LIMITS.tor}) is stale;
hosting lists have no age limit. Each warning names what fixes it: \`riskgate data update\` for
the open data and the MaxMind databases it installed, \`riskgate data update-tor\` for the Tor
list, replacing the file for files riskgate does not manage.

Stale data is a warning: riskgate serves it, and so does this command exit 0 (with --strict, 1).
A missing or invalid file is broken: riskgate would not start on it.

options:
  --json     print { ok, broken, stale, sources, unconfigured } as JSON instead of a table
  --strict   stale data fails too (exit 1)

exit codes: 0 every file loads (stale ones are warnings), 1 a file is missing or invalid, or
            stale with --strict, 2 wrong usage or an invalid configuration

examples:
  riskgate data status
  RISKGATE_TOR_EXITS_FILE=/var/lib/riskgate/tor-exits.txt riskgate data status --json
`

function usageError (io: CliIo, message: string): number {
  io.stderr.write(`riskgate ${NAME}: ${message}\nRun \`riskgate ${NAME} --help\` for its usage.\n`)
  return ExitCode.USAGE
}

async function run (argv: string[], io: CliIo): Promise<number> {
  let json: boolean
  let strict: boolean
  try {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, strict: { type: 'boolean' } }, strict: true, allowPositionals: false })
    json = values.json === true
    strict = values.strict === true
  } catch (err) {
    return usageError(io, err instanceof Error ? err.message : String(err))
  }
  let data: AppConfig['data']
  try {
    data = loadDataConfig(io.env, io.cwd)
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`riskgate ${NAME}: ${err.message}\n`)
      return ExitCode.USAGE
    }
    throw err
  }
  const status = await inspectDataSources(resolvePaths(data, io.cwd), Date.now())
  io.stdout.write(json ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status, io.cwd, strict))
  return status.broken || (strict && status.stale) ? ExitCode.FAILED : ExitCode.OK
}

/** relative paths are relative to the working directory, as for the server */
function resolvePaths (data: AppConfig['data'], cwd: string): AppConfig['data'] {
  const abs = (p: string): string => isAbsolute(p) ? p : resolve(cwd, p)
  const out: AppConfig['data'] = { ...data }
  if (data.countryDb !== undefined) out.countryDb = abs(data.countryDb)
  if (data.asnDb !== undefined) out.asnDb = abs(data.asnDb)
  if (data.anonymousDb !== undefined) out.anonymousDb = abs(data.anonymousDb)
  if (data.connectionTypeDb !== undefined) out.connectionTypeDb = abs(data.connectionTypeDb)
  if (data.torExitsFile !== undefined) out.torExitsFile = abs(data.torExitsFile)
  if (data.hostingAsnFiles !== undefined) out.hostingAsnFiles = data.hostingAsnFiles.map(abs)
  return out
}

function entriesText (s: SourceStatus): string {
  if (s.entries === undefined) return ''
  return `${s.entries.toLocaleString('en-US')} ${s.kind === 'mmdb' ? 'nodes' : 'entries'}`
}

const UNCONFIGURED: Record<string, string> = {
  country: 'no country database (RISKGATE_MMDB_COUNTRY): ip.country stays unknown',
  asn: 'no ASN database (RISKGATE_MMDB_ASN): ip.asn and ip.as_org stay unknown',
  anonymous: 'no anonymizer database (RISKGATE_MMDB_ANONYMOUS): ip.is_vpn, ip.is_proxy, ip.is_residential_proxy and ip.risk stay unknown',
  connection_type: 'no connection type database (RISKGATE_MMDB_CONNECTION_TYPE): ip.connection_type stays unknown',
  tor_exits: 'no Tor exit list (RISKGATE_TOR_EXITS_FILE): ip.is_tor comes from the anonymizer database alone',
  hosting: 'no hosting list: ip.is_hosting comes from the anonymizer database alone'
}

/**
 * The human-readable table, then one line per problem and per role left unconfigured. Paths under
 * `cwd` are shown relative to it (the JSON output keeps them absolute).
 */
export function formatStatus (status: DataStatus, cwd?: string, strict = false): string {
  const shown = (path: string): string => {
    if (cwd === undefined) return path
    const rel = relative(cwd, path)
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel
  }
  const header = ['SOURCE', 'STATE', 'TYPE', 'BUILT', 'AGE', 'LIMIT', 'SIZE', 'PATH']
  const rows = status.sources.map((s) => [
    s.id,
    s.state,
    s.database_type ?? (s.kind === 'list' ? 'list' : ''),
    s.built_at?.slice(0, 10) ?? '-',
    s.age_days === undefined ? '-' : `${s.age_days} d`,
    s.max_age_days === undefined ? '-' : `${s.max_age_days} d`,
    entriesText(s) || '-',
    shown(s.path)
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]): string => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i] as number)).join('  ')
  const out = [line(header), ...rows.map(line)]
  const problems = status.sources.filter((s) => s.problem !== undefined)
  if (problems.length > 0) {
    out.push('')
    for (const s of problems) out.push(`${s.state === SourceState.STALE ? 'warning' : 'error'}: ${s.id}: ${s.problem ?? ''}`)
  }
  if (status.unconfigured.length > 0) out.push('', ...status.unconfigured.map((role) => `note: ${UNCONFIGURED[role] ?? role}`))
  out.push('', verdict(status, strict))
  return out.join('\n') + '\n'
}

function verdict (status: DataStatus, strict: boolean): string {
  if (status.broken) return 'not ok: a file is missing or invalid (see above)'
  if (status.stale) return strict ? 'not ok: stale data (--strict; see above)' : 'ok, with warnings: stale data is served until it is refreshed (see above)'
  return 'ok: every source loads and is fresh'
}

export const dataStatusCommand: CliCommand = {
  path: ['data', 'status'],
  summary: 'list the IP data files with build date, age and size; exit 1 when one is broken (or stale, with --strict)',
  usage: USAGE,
  run
}
