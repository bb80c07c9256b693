import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { ConfigError, loadDataConfig } from '../../config/load-config.js'
import { TOR_BULK_EXIT_LIST_URL, TOR_UPDATE_DEFAULTS, TorUpdateFailure, updateTorList } from '../../data/tor-update.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'

const NAME = 'data update-tor'

const USAGE = `usage: riskgate data update-tor [--out <file>] [--url <url>] [--timeout <seconds>]
                                [--max-bytes <n>] [--min-addresses <n>]

Downloads the Tor Project's bulk exit list and replaces the Tor exit list file with it. The answer
is checked first: every line that is not blank or a # comment must be one IP address, with at least
--min-addresses of them; an empty answer, an HTML page, an HTTP error, a body over --max-bytes or
no complete answer within --timeout is refused. The new list is written to a temporary file in the
same folder and renamed over the old one, so a failed download leaves the old file as it was, and
a running riskgate picks the new one up by itself (hot reload).

Run it from cron or a systemd timer, e.g. every hour; \`riskgate data status\` warns when the list
is older than RISKGATE_TOR_MAX_AGE_DAYS (default 2).

options:
  --out <file>            the list to replace (default: $RISKGATE_TOR_EXITS_FILE)
  --url <url>             where to download it (default ${TOR_BULK_EXIT_LIST_URL})
  --timeout <seconds>     give up after this long, body included (default ${TOR_UPDATE_DEFAULTS.timeoutMs / 1000})
  --max-bytes <n>         refuse a larger answer (default ${TOR_UPDATE_DEFAULTS.maxBytes})
  --min-addresses <n>     refuse a list with fewer addresses (default ${TOR_UPDATE_DEFAULTS.minAddresses})

exit codes: 0 replaced, 1 refused (not a valid list: the old file is kept), 2 wrong usage,
            3 download failed or the file could not be written (the old file is kept)

examples:
  riskgate data update-tor --out /var/lib/riskgate/tor-exits.txt
  RISKGATE_TOR_EXITS_FILE=/var/lib/riskgate/tor-exits.txt npm run data:update-tor
`

function usageError (io: CliIo, message: string): number {
  io.stderr.write(`riskgate ${NAME}: ${message}\nRun \`riskgate ${NAME} --help\` for its usage.\n`)
  return ExitCode.USAGE
}

function positiveNumber (value: string | undefined, fallback: number, name: string, integer: boolean): number | string {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    return `--${name} must be a positive ${integer ? 'integer' : 'number'}`
  }
  return n
}

async function run (argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, string | undefined>
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        url: { type: 'string' },
        timeout: { type: 'string' },
        'max-bytes': { type: 'string' },
        'min-addresses': { type: 'string' }
      },
      strict: true,
      allowPositionals: false
    })
    values = parsed.values
  } catch (err) {
    return usageError(io, err instanceof Error ? err.message : String(err))
  }

  const timeout = positiveNumber(values.timeout, TOR_UPDATE_DEFAULTS.timeoutMs / 1000, 'timeout', false)
  const maxBytes = positiveNumber(values['max-bytes'], TOR_UPDATE_DEFAULTS.maxBytes, 'max-bytes', true)
  const minAddresses = positiveNumber(values['min-addresses'], TOR_UPDATE_DEFAULTS.minAddresses, 'min-addresses', true)
  for (const v of [timeout, maxBytes, minAddresses]) if (typeof v === 'string') return usageError(io, v)

  const url = values.url ?? TOR_BULK_EXIT_LIST_URL
  let parsedUrl: URL
  try {
    parsedUrl = new URL(url)
  } catch {
    return usageError(io, '--url is not a URL')
  }
  if (parsedUrl.protocol !== 'https:' && parsedUrl.protocol !== 'http:') return usageError(io, '--url must be http or https')

  let out = values.out
  if (out === undefined) {
    try {
      out = loadDataConfig(io.env, io.cwd).torExitsFile
    } catch (err) {
      if (err instanceof ConfigError) {
        io.stderr.write(`riskgate ${NAME}: ${err.message}\n`)
        return ExitCode.USAGE
      }
      throw err
    }
  }
  if (out === undefined) return usageError(io, 'where to write the list? set RISKGATE_TOR_EXITS_FILE or pass --out <file>')

  const result = await updateTorList({
    url,
    out: resolve(io.cwd, out),
    timeoutMs: (timeout as number) * 1000,
    maxBytes: maxBytes as number,
    minAddresses: minAddresses as number
  })
  if (!result.ok) {
    const what = result.failure === TorUpdateFailure.REFUSED ? 'refused the download' : result.failure === TorUpdateFailure.WRITE ? 'failed' : 'download failed'
    io.stderr.write(`riskgate ${NAME}: ${what}: ${result.message}; ${out} was left as it was\n`)
    return result.failure === TorUpdateFailure.REFUSED ? ExitCode.FAILED : ExitCode.UNAVAILABLE
  }
  const was = result.previous === undefined ? 'new file' : `was ${result.previous}`
  io.stdout.write(`${out}: ${result.addresses} Tor exit addresses (${was}) from ${url}\n`)
  return ExitCode.OK
}

export const dataUpdateTorCommand: CliCommand = {
  path: ['data', 'update-tor'],
  summary: 'download the Tor bulk exit list and replace the list file atomically',
  usage: USAGE,
  run
}
