import { resolve } from 'node:path'
import type { AppConfig } from '../../config/app-config.js'
import { ConfigError, devStateDirFromEnv, loadDataConfig } from '../../config/load-config.js'
import { DEFAULT_AGE_LIMITS } from '../../data/freshness.js'
import { FolderLocked } from '../../data/update/folder-lock.js'
import { DEFAULT_MAXMIND_EDITIONS, MAXMIND_DOWNLOAD_URL, maxmindSettings } from '../../data/update/maxmind-settings.js'
import type { MaxmindSettings } from '../../data/update/maxmind-settings.js'
import { NPM_REGISTRY_URL } from '../../data/update/npm-registry.js'
import { UpdateStatus } from '../../data/update/outcome.js'
import type { DownloadProgress, UpdateOutcome } from '../../data/update/outcome.js'
import { defaultUpdateDir } from '../../data/update/paths.js'
import { DataUpdateSource, runDataUpdate } from '../../data/update/run.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { parseOptions, stringOption, usageError } from '../options.js'
import { createProgress, isTty } from '../progress.js'
import { summary } from '../format-data-update.js'

const NAME = 'data update'
const DEFAULT_TIMEOUT_S = 600

const USAGE = `usage: riskgate data update [--dir <folder>] [--source open|maxmind|all] [--registry <url>]
                            [--maxmind-url <url>] [--timeout <seconds>] [--force]

Fetches current IP databases where the machine has internet access, verifies them and swaps them
in atomically (a running riskgate reloads a file it serves when it is replaced):

  open      the ip-location-db releases on the npm registry: the latest
            @ip-location-db/geo-whois-asn-country-mmdb (country) and @ip-location-db/asn (ASN
            CSVs, compiled into asn.mmdb by riskgate's own MMDB writer, as \`npm run data:build\`
            does). Each tarball must match the registry's dist.integrity (sha512).
  maxmind   with RISKGATE_MAXMIND_ACCOUNT_ID and RISKGATE_MAXMIND_LICENSE_KEY set, the editions in
            RISKGATE_MAXMIND_EDITIONS (default ${DEFAULT_MAXMIND_EDITIONS.join(',')}), from MaxMind's
            download endpoint with basic auth, checked against the SHA-256 MaxMind publishes for
            each archive and against the edition's database type (written as <edition>.mmdb).

Every database is opened with the server's own loader before it replaces the old file; one that
fails any check is refused and the old file is kept. A release already in place is not
downloaded again (--force to do it anyway).

The default folder is RISKGATE_DEV_STATE_DIR/data (./.riskgate/data). riskgate uses the open
databases found there when RISKGATE_MMDB_COUNTRY / RISKGATE_MMDB_ASN are unset, instead of the
bundled copies; for any other folder, and for MaxMind databases, the summary prints the
RISKGATE_MMDB_* settings that point at the files.

options:
  --dir <folder>        where the databases go (default RISKGATE_DEV_STATE_DIR/data)
  --source <which>      open, maxmind or all (default: open, plus maxmind when its account is set)
  --registry <url>      npm registry (default ${NPM_REGISTRY_URL})
  --maxmind-url <url>   MaxMind download server (default ${MAXMIND_DOWNLOAD_URL})
  --timeout <seconds>   give up on one download after this long, body included (default ${DEFAULT_TIMEOUT_S})
  --force               download and install even the release already in place

exit codes: 0 every database updated or already current, 1 a download was refused (it did not
            verify: the old file is kept), 2 wrong usage or an invalid configuration, 3 a download
            or write failed (network, HTTP error, credentials refused: the old file is kept)

examples:
  riskgate data update
  RISKGATE_MAXMIND_ACCOUNT_ID=123456 RISKGATE_MAXMIND_LICENSE_KEY=... riskgate data update --source maxmind --dir /var/lib/riskgate
`

interface Parsed {
  dir: string
  defaultDir: boolean
  dirGiven: string | undefined
  open: boolean
  maxmind: MaxmindSettings | undefined
  /** RISKGATE_MAXMIND_ACCOUNT_ID and _LICENSE_KEY are set (whether or not --source uses them) */
  accountSet: boolean
  registry: string
  maxmindUrl: string
  timeoutMs: number
  force: boolean
  data: AppConfig['data']
  maxAgeDays: number
}

function httpUrl (value: string, option: string): string | { error: string } {
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { error: `${option} must be http or https` }
    if (url.username !== '' || url.password !== '') return { error: `${option} must not carry credentials` }
    return value
  } catch {
    return { error: `${option} is not a URL` }
  }
}

function parse (argv: string[], io: CliIo): Parsed | { error: string, config?: boolean } {
  const parsed = parseOptions(argv, {
    dir: { type: 'string' },
    source: { type: 'string' },
    registry: { type: 'string' },
    'maxmind-url': { type: 'string' },
    timeout: { type: 'string' },
    force: { type: 'boolean' }
  }, 0)
  if (!parsed.ok) return { error: parsed.message }
  const values = parsed.values
  const source = stringOption(values, 'source')
  if (source !== undefined && !Object.values(DataUpdateSource).includes(source as DataUpdateSource)) return { error: '--source must be open, maxmind or all' }
  const timeoutText = stringOption(values, 'timeout')
  const timeout = timeoutText === undefined ? DEFAULT_TIMEOUT_S : Number(timeoutText)
  if (timeoutText?.trim() === '' || !Number.isFinite(timeout) || timeout <= 0) return { error: '--timeout must be a positive number' }
  const registry = httpUrl(stringOption(values, 'registry') ?? NPM_REGISTRY_URL, '--registry')
  if (typeof registry !== 'string') return registry
  const maxmindUrl = httpUrl(stringOption(values, 'maxmind-url') ?? MAXMIND_DOWNLOAD_URL, '--maxmind-url')
  if (typeof maxmindUrl !== 'string') return maxmindUrl

  let data: AppConfig['data']
  let stateDir: string
  try {
    data = loadDataConfig(io.env, io.cwd)
    stateDir = devStateDirFromEnv(io.env)
  } catch (err) {
    if (err instanceof ConfigError) return { error: err.message, config: true }
    throw err
  }
  const account = maxmindSettings(io.env)
  if (!account.ok) return { error: account.message, config: true }
  const wantsMaxmind = source === DataUpdateSource.MAXMIND || source === DataUpdateSource.ALL
  if (wantsMaxmind && account.settings === undefined) {
    return { error: `--source ${source ?? ''} needs a MaxMind account: set RISKGATE_MAXMIND_ACCOUNT_ID and RISKGATE_MAXMIND_LICENSE_KEY` }
  }
  const dirGiven = stringOption(values, 'dir')
  const defaultDir = resolve(io.cwd, defaultUpdateDir(stateDir))
  const dir = dirGiven === undefined ? defaultDir : resolve(io.cwd, dirGiven)
  return {
    dir,
    defaultDir: dir === defaultDir,
    dirGiven: dirGiven === undefined || dir === defaultDir ? undefined : dir,
    open: source !== DataUpdateSource.MAXMIND,
    maxmind: source === DataUpdateSource.OPEN ? undefined : account.settings,
    accountSet: account.settings !== undefined,
    registry,
    maxmindUrl,
    timeoutMs: timeout * 1000,
    force: values.force === true,
    data,
    maxAgeDays: data.maxAgeDays?.mmdb ?? DEFAULT_AGE_LIMITS.mmdb
  }
}

function progressOn (io: CliIo): (label: string) => DownloadProgress {
  return (label) => {
    let progress: ReturnType<typeof createProgress> | undefined
    const start = (total: number | undefined): ReturnType<typeof createProgress> => {
      progress ??= createProgress(io.stderr, { label: `${label} (bytes)`, tty: isTty(io.stderr), ...(total === undefined ? {} : { total }) })
      return progress
    }
    return {
      update: (received, total) => { start(total).update(received, received) },
      finish: (received) => { start(undefined).finish(received) }
    }
  }
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const options = parse(argv, io)
  if ('error' in options) {
    if (options.config === true) {
      io.stderr.write(`riskgate ${NAME}: ${options.error}\n`)
    } else {
      usageError(io, NAME, options.error)
    }
    return ExitCode.USAGE
  }
  const updateCommand = `riskgate data update${options.dirGiven === undefined ? '' : ` --dir ${options.dirGiven}`}`
  let outcomes: UpdateOutcome[]
  try {
    outcomes = await runDataUpdate({
      dir: options.dir,
      defaultDir: options.defaultDir,
      open: options.open,
      maxmind: options.maxmind,
      registry: options.registry,
      maxmindUrl: options.maxmindUrl,
      timeoutMs: options.timeoutMs,
      force: options.force,
      updateCommand,
      step: (line) => { io.stderr.write(`${line}\n`) },
      progress: progressOn(io)
    })
  } catch (err) {
    const message = err instanceof FolderLocked ? err.message : `cannot use ${options.dir}: ${err instanceof Error ? err.message : String(err)}`
    io.stderr.write(`riskgate ${NAME}: ${message}\n`)
    return ExitCode.UNAVAILABLE
  }
  for (const o of outcomes) {
    if (o.status === UpdateStatus.REFUSED || o.status === UpdateStatus.FAILED) {
      io.stderr.write(`riskgate ${NAME}: ${o.id}: ${o.status}: ${o.message ?? ''}; ${o.path} was left as it was\n`)
    }
  }
  // the configuration again: a first update into the default folder changes what riskgate uses
  io.stdout.write(summary(outcomes, { ...options, data: loadDataConfig(io.env, io.cwd) }, io))
  if (outcomes.some((o) => o.status === UpdateStatus.REFUSED)) return ExitCode.FAILED
  if (outcomes.some((o) => o.status === UpdateStatus.FAILED)) return ExitCode.UNAVAILABLE
  return ExitCode.OK
}

export const dataUpdateCommand: CliCommand = {
  path: ['data', 'update'],
  summary: 'fetch current open IP data (and MaxMind databases with an account), verify, swap in atomically',
  usage: USAGE,
  run
}
