import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { ImportRowStatus, RowResult } from '../../outcomes/import/importer.js'
import { IMPORT_FORMATS } from '../../outcomes/import/imported-outcome.js'
import type { ImportFormat } from '../../outcomes/import/imported-outcome.js'
import type { ImportRowError } from '../../outcomes/import/row-error.js'
import { MAX_BATCH_ROWS } from '../../schemas/outcome-import.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { HeaderError, inputKindOf, readImportRows } from '../import-rows.js'
import type { InputKind } from '../import-rows.js'
import { parseOptions, stringOption, usageError } from '../options.js'
import { createProgress, formatCount, isTty } from '../progress.js'
import { answerDetail, serverEndpoint } from '../server-request.js'

const NAME = 'outcomes import'
const DEFAULT_BATCH = 500
/** the JSON of one request at most (the server takes 2 MiB) */
const MAX_REQUEST_BYTES = 1536 * 1024
/** refused rows listed one by one at most; the rest are counted by code */
const LISTED_REFUSALS = 100

const USAGE = `usage: riskgate outcomes import <file.csv|file.ndjson|-> --format stripe-disputes|omise|generic
                                --url <base url> [--key <secret>] [--batch <rows>] [--quiet]

Imports what happened to scored charges from a gateway's export (or riskgate's generic rows) into a
running riskgate, through POST /v1/outcomes:batch (scope analyst), in requests of 500 rows. Each
dispute, refund or generic row is applied once: importing the same file again applies nothing.

formats (column names are matched loosely: case, spaces and punctuation do not matter):
  stripe-disputes  the Stripe Dashboard's disputes export: id (du_...), Charge ID and/or Payment
                   Intent ID, Reason, Status, Created (UTC); a fraudulent reason is fraud, any
                   other a chargeback, as the Stripe webhook maps disputes
  omise            an Opn Payments (Omise) dispute or refund export: id (dspt_... or rfnd_...),
                   charge, created_at; a dispute is a chargeback, a refund a refund
  generic          decision_id or charge_id, outcome (fraud, legit, chargeback, refund), and
                   optionally reported_at (ISO 8601), note, event_id; CSV or NDJSON
A riskgate_decision_id or riskgate_charge_id metadata column finds the decision too. Only the
columns the format reads are sent. The file is CSV (RFC 4180) unless it ends in .ndjson, .jsonl or
.json, or (stdin, other names) starts with {.

options:
  --format <name>  stripe-disputes, omise or generic (required)
  --url <url>      base URL of the running riskgate, e.g. http://127.0.0.1:8080 (required)
  --key <secret>   analyst API key (prefer RISKGATE_API_KEY: the environment keeps it out of the
                   process list)
  --batch <rows>   rows per request, 1 to ${MAX_BATCH_ROWS} (default ${DEFAULT_BATCH})
  --quiet          no progress on stderr

The summary (stdout) counts the rows read and what became of them: applied (the decision's
outcome now), kept (recorded, a stronger outcome stays: a late legit never replaces a chargeback),
already applied (imported before), held (no recorded decision yet: applied when it lands, within
15 minutes), refused (each with its line and code).

exit codes: 0 every row applied, kept, already applied or held; 1 rows were refused, or the header
            lacks a column the format needs (nothing sent); 2 wrong usage; 3 the file cannot be
            read, or riskgate cannot be reached or refused a request (rows sent before stay
            applied: run it again, they answer already applied)

examples:
  RISKGATE_API_KEY=... riskgate outcomes import disputes.csv --format stripe-disputes --url http://127.0.0.1:8080
  riskgate outcomes import labels.ndjson --format generic --url https://riskgate.internal
`

const OPTIONS = {
  format: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  batch: { type: 'string' },
  quiet: { type: 'boolean' }
} as const

interface Refusal { line: number, code: ImportRowError, message: string }

interface Tally {
  read: number
  counts: Record<ImportRowStatus, number>
  refusals: Refusal[]
}

class SendError extends Error {}

/** The input as it comes, and its kind: the first chunk decides when the name does not. */
async function openInput (file: string, source: AsyncIterable<Buffer | string>): Promise<{ kind: InputKind, chunks: AsyncIterable<Buffer | string> }> {
  const iterator = source[Symbol.asyncIterator]()
  const first = await iterator.next()
  const head = first.done === true ? '' : String(typeof first.value === 'string' ? first.value : first.value.subarray(0, 64).toString('utf8'))
  return {
    kind: inputKindOf(file === '-' ? '' : file, head),
    chunks: (async function * () {
      if (first.done !== true) yield first.value
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value
    })()
  }
}

async function send (url: URL, key: string, format: ImportFormat, rows: ReadonlyArray<{ line: number, row: Record<string, unknown> }>, tally: Tally): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ format, rows: rows.map((r) => r.row) })
    })
  } catch (err) {
    throw new SendError(`${url.origin} cannot be reached: ${(err as Error).message}`)
  }
  if (response.status !== 200) throw new SendError(`${url.origin} answered ${response.status}${await answerDetail(response)}`)
  let body: { results?: RowResult[] }
  try {
    body = await response.json() as { results?: RowResult[] }
  } catch (err) {
    throw new SendError(`${url.origin} answered 200 without a JSON body: ${(err as Error).message}`)
  }
  if (!Array.isArray(body.results) || body.results.length !== rows.length) throw new SendError(`${url.origin} answered without a result per row`)
  for (const result of body.results) {
    tally.counts[result.status]++
    if (result.status === 'refused') {
      tally.refusals.push({ line: rows[result.index]?.line ?? 0, code: result.code ?? 'invalid_row', message: result.message ?? '' })
    }
  }
}

function summary (tally: Tally, source: string, format: ImportFormat): string {
  const c = tally.counts
  const lines = [
    `${formatCount(tally.read)} row${tally.read === 1 ? '' : 's'} read from ${source} (${format})`,
    `  applied          ${formatCount(c.applied).padStart(8)}  matched a recorded decision: its outcome now`,
    `  kept             ${formatCount(c.kept).padStart(8)}  matched; recorded in its history, a stronger outcome stays its latest`,
    `  already applied  ${formatCount(c.duplicate).padStart(8)}  imported before: nothing done`,
    `  held             ${formatCount(c.held).padStart(8)}  no recorded decision yet: applied when it lands (within 15 minutes)`,
    `  refused          ${formatCount(c.refused).padStart(8)}`
  ]
  if (tally.refusals.length > 0) {
    const sorted = [...tally.refusals].sort((a, b) => a.line - b.line)
    lines.push('refused rows:')
    for (const r of sorted.slice(0, LISTED_REFUSALS)) lines.push(`  line ${r.line}: ${r.code}: ${r.message}`)
    if (sorted.length > LISTED_REFUSALS) {
      const byCode = new Map<string, number>()
      for (const r of sorted.slice(LISTED_REFUSALS)) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1)
      lines.push(`  ... and ${formatCount(sorted.length - LISTED_REFUSALS)} more: ${[...byCode].map(([code, n]) => `${formatCount(n)} ${code}`).join(', ')}`)
    }
  }
  return lines.join('\n') + '\n'
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(argv, OPTIONS, 1)
  if (!parsed.ok) {
    usageError(io, NAME, parsed.message)
    return ExitCode.USAGE
  }
  const values = parsed.values
  const file = parsed.positionals[0]
  if (file === undefined) {
    usageError(io, NAME, 'the file to import is required (or - for stdin)')
    return ExitCode.USAGE
  }
  const format = stringOption(values, 'format')
  if (format === undefined || !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    usageError(io, NAME, `--format must be ${IMPORT_FORMATS.join(', ')}`)
    return ExitCode.USAGE
  }
  const base = stringOption(values, 'url')
  if (base === undefined) {
    usageError(io, NAME, '--url of the running riskgate is required')
    return ExitCode.USAGE
  }
  const endpoint = serverEndpoint(base, '/v1/outcomes:batch')
  if (!endpoint.ok) {
    usageError(io, NAME, endpoint.message)
    return ExitCode.USAGE
  }
  const key = stringOption(values, 'key') ?? io.env.RISKGATE_API_KEY
  if (key === undefined || key === '') {
    usageError(io, NAME, 'an analyst API key is needed: set RISKGATE_API_KEY (or --key)')
    return ExitCode.USAGE
  }
  const batchText = stringOption(values, 'batch')
  const batchSize = batchText === undefined ? DEFAULT_BATCH : Number(batchText)
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_ROWS) {
    usageError(io, NAME, `--batch must be an integer from 1 to ${MAX_BATCH_ROWS}`)
    return ExitCode.USAGE
  }

  let source: AsyncIterable<Buffer | string>
  let total: number | undefined
  const shown = file === '-' ? 'stdin' : file
  if (file === '-') {
    source = io.stdin as AsyncIterable<Buffer | string>
  } else {
    const full = path.resolve(io.cwd, file)
    try {
      total = (await stat(full)).size
    } catch (err) {
      io.stderr.write(`riskgate ${NAME}: cannot read ${file}: ${(err as { code?: string }).code ?? String(err)}\n`)
      return ExitCode.UNAVAILABLE
    }
    source = createReadStream(full, { highWaterMark: 256 * 1024 })
  }

  const tally: Tally = { read: 0, counts: { applied: 0, kept: 0, duplicate: 0, held: 0, refused: 0 }, refusals: [] }
  const progress = values.quiet === true ? undefined : createProgress(io.stderr, { label: 'importing outcomes', tty: isTty(io.stderr), ...(total !== undefined ? { total } : {}) })
  let bytes = 0
  let batch: Array<{ line: number, row: Record<string, unknown> }> = []
  let batchBytes = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const sending = batch
    batch = []
    batchBytes = 0
    await send(endpoint.url, key, format as ImportFormat, sending, tally)
  }
  try {
    const input = await openInput(file, source)
    for await (const item of readImportRows(input.chunks, input.kind, format as ImportFormat, (n) => { bytes += n })) {
      tally.read++
      if ('refused' in item) {
        tally.counts.refused++
        tally.refusals.push({ line: item.line, ...item.refused })
      } else {
        const size = Buffer.byteLength(JSON.stringify(item.row)) + 1
        if (batch.length > 0 && batchBytes + size > MAX_REQUEST_BYTES) await flush()
        batch.push(item)
        batchBytes += size
        if (batch.length >= batchSize) await flush()
      }
      progress?.update(bytes, tally.read)
    }
    await flush()
  } catch (err) {
    if (err instanceof HeaderError) {
      io.stderr.write(`riskgate ${NAME}: ${shown}: ${err.message}: nothing was sent. Run \`riskgate ${NAME} --help\` for the columns of each format.\n`)
      return ExitCode.FAILED
    }
    const sent = tally.counts.applied + tally.counts.kept + tally.counts.duplicate + tally.counts.held
    if (sent > 0) io.stdout.write(summary(tally, shown, format as ImportFormat))
    const why = err instanceof SendError ? err.message : `cannot read ${shown}: ${(err as { code?: string }).code ?? (err as Error).message}`
    io.stderr.write(`riskgate ${NAME}: ${why}; the rows sent before stay applied (importing the file again answers them already applied)\n`)
    return ExitCode.UNAVAILABLE
  }
  progress?.finish(tally.read)
  io.stdout.write(summary(tally, shown, format as ImportFormat))
  return tally.counts.refused > 0 ? ExitCode.FAILED : ExitCode.OK
}

export const outcomesImportCommand: CliCommand = {
  path: ['outcomes', 'import'],
  summary: 'import outcomes from a Stripe disputes, Omise dispute/refund or generic CSV/NDJSON file into a running riskgate',
  usage: USAGE,
  run
}
