import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { prepareReplay } from '../../backtest/replay-ruleset.js'
import type { ReplayRuleSet } from '../../backtest/replay-ruleset.js'
import { formatTerminalReport } from '../../backtest/format-terminal.js'
import { renderHtmlReport } from '../../backtest/html-report.js'
import { OutcomeClass } from '../../backtest/outcome.js'
import { parseRates } from '../../backtest/rates.js'
import type { ExchangeRates } from '../../backtest/rates.js'
import { runBacktest } from '../../backtest/run-backtest.js'
import type { BacktestOptions, BacktestSide } from '../../backtest/run-backtest.js'
import { BACKTEST_MAX_CELLS, BACKTEST_MAX_ENTITIES } from '../../backtest/velocity-replay.js'
import { parseLogRange } from '../../decision-log/range.js'
import { createSnapshotHash } from '../../decision-log/snapshot.js'
import type { SnapshotHash } from '../../decision-log/snapshot.js'
import { displayPath, loadRuleSet, RULESET_FILE } from '../../ruleset/load.js'
import { RuleSetError } from '../../ruleset/rule-set-error.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { resolveHashKey } from '../hash-key.js'
import { parseOptions, stringOption, usageError } from '../options.js'
import { createProgress, isTty } from '../progress.js'

const NAME = 'backtest'

const USAGE = `usage: riskgate backtest --rules <candidate dir> [--input <file.ndjson>] [--from <time>] [--to <time>]
                         [--current <dir>] [--html <report.html>] [--json] [--rates <file>]
                         [--refund fraud|good|unlabelled] [--count-blocked-outcomes]

Replays recorded decisions (NDJSON decision records, oldest first, from a file or stdin) through a
candidate rule set with the live engine, velocity counters recounted from the records with the
candidate's declarations, and compares with the current decisions: what changes (an
allow/review/block matrix with counts and amounts), per-rule hits and what removing each rule would
change, and where outcomes were reported, fraud caught, fraud still allowed, good charges blocked,
precision and recall, and a block-threshold curve.

Get the records with \`riskgate decisions export\` (or GET /v1/decisions/export with an analyst key).

options:
  --rules <dir>        the candidate rule set folder (required)
  --input <file>       NDJSON decision records, oldest first (default: stdin; \`-\` is stdin)
  --from <time>        report only decisions at or after this ISO 8601 date or time; earlier records
                       of the input still count in the velocity counters (they warm them up)
  --to <time>          report only decisions before this time (later records are ignored)
  --current <dir>      compare with this rule set, replayed like the candidate (default: the
                       decisions as recorded, each with the rule set it was decided with)
  --html <file>        also write a self-contained HTML report (inline SVG charts; every figure
                       links to a sample of the charges behind it)
  --json               print the report as JSON instead of text
  --rates <file>       exchange rates into one reporting currency: JSON { "base": "USD", "rates":
                       { "EUR": 1.08 } } or CSV with the header base,currency,rate (a rate is what
                       one unit of the currency is worth in the base); default: amounts per currency
  --refund <class>     count refunds as fraud, good or unlabelled (default: unlabelled)
  --count-blocked-outcomes
                       count the outcomes reported on charges blocked live (default: set aside, as
                       blocked charges get an outcome only when someone reports one)
  --velocity-max-entities <n>, --velocity-max-cells <n>
                       bounds of the recounting velocity store (default ${BACKTEST_MAX_ENTITIES}, ${BACKTEST_MAX_CELLS})

Identifiers in records are keyed hashes: list entries are hashed with RISKGATE_HASH_KEY (or the
development key in RISKGATE_DEV_STATE_DIR) so that \`email.address in lists.x\` replays exactly.
Progress goes to stderr. Details: docs/backtest.md.

exit codes: 0 done, 1 a rule set would be refused (compile or lint errors) or the input holds no decision record
            of the period, 2 wrong usage, 3 a rule set folder, the input or the rates cannot be read, or the
            report not written

examples:
  riskgate decisions export --from 2026-09-30 > decisions.ndjson
  riskgate backtest --rules rules-next/ --input decisions.ndjson --from 2026-10-01 --html backtest.html
  riskgate backtest --rules rules-next/ --current rules/ --rates rates.json < decisions.ndjson
`

type Loaded = { ok: true, side: BacktestSide } | { ok: false, code: number, message: string }

async function loadSide (dir: string, hash: SnapshotHash): Promise<Loaded> {
  const file = path.join(dir, RULESET_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    return { ok: false, code: ExitCode.UNAVAILABLE, message: `cannot read ${displayPath(file)}: ${(error as { code?: string }).code ?? String(error)}` }
  }
  try {
    const ruleSet: ReplayRuleSet = prepareReplay(await loadRuleSet(dir), text, hash)
    return { ok: true, side: { ruleSet, dir: displayPath(dir) } }
  } catch (error) {
    if (error instanceof RuleSetError) return { ok: false, code: ExitCode.FAILED, message: error.message }
    throw error
  }
}

function refundClass (value: string | undefined): OutcomeClass | undefined {
  if (value === undefined) return OutcomeClass.UNLABELLED
  return (Object.values(OutcomeClass) as string[]).includes(value) ? value as OutcomeClass : undefined
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(argv, {
    rules: { type: 'string' },
    input: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    current: { type: 'string' },
    html: { type: 'string' },
    json: { type: 'boolean' },
    refund: { type: 'string' },
    rates: { type: 'string' },
    'count-blocked-outcomes': { type: 'boolean' },
    'velocity-max-entities': { type: 'string' },
    'velocity-max-cells': { type: 'string' }
  }, 0)
  if (!parsed.ok) {
    usageError(io, NAME, parsed.message)
    return ExitCode.USAGE
  }
  const rules = stringOption(parsed.values, 'rules')
  if (rules === undefined) {
    usageError(io, NAME, '--rules <candidate dir> is required')
    return ExitCode.USAGE
  }
  const refundAs = refundClass(stringOption(parsed.values, 'refund'))
  if (refundAs === undefined) {
    usageError(io, NAME, '--refund must be fraud, good or unlabelled')
    return ExitCode.USAGE
  }

  const from = stringOption(parsed.values, 'from')
  const to = stringOption(parsed.values, 'to')
  const range = parseLogRange({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) })
  if (!range.ok) {
    usageError(io, NAME, `--${range.bound} must be an ISO 8601 date or time (2026-11-01, 2026-11-01T08:00:00Z)` +
      (range.bound === 'from' ? '; the records file is given with --input <file>' : ''))
    return ExitCode.USAGE
  }
  const limits: NonNullable<BacktestOptions['velocityLimits']> = {}
  for (const [option, field] of [['velocity-max-entities', 'maxEntities'], ['velocity-max-cells', 'maxCells']] as const) {
    const text = stringOption(parsed.values, option)
    if (text === undefined) continue
    const value = Number(text)
    if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(value)) {
      usageError(io, NAME, `--${option} must be a positive integer`)
      return ExitCode.USAGE
    }
    limits[field] = value
  }

  let rates: { rates: ExchangeRates, source: string } | undefined
  const ratesFile = stringOption(parsed.values, 'rates')
  if (ratesFile !== undefined) {
    let text: string
    try {
      text = await readFile(path.resolve(io.cwd, ratesFile), 'utf8')
    } catch (error) {
      io.stderr.write(`riskgate ${NAME}: cannot read ${ratesFile}: ${(error as { code?: string }).code ?? String(error)}\n`)
      return ExitCode.UNAVAILABLE
    }
    const ext = path.extname(ratesFile).toLowerCase()
    const read = parseRates(text, ext === '.json' ? 'json' : ext === '.csv' ? 'csv' : undefined)
    if (!read.ok) {
      io.stderr.write(`riskgate ${NAME}: ${ratesFile} is not a rates file: ${read.error}\n`)
      return ExitCode.UNAVAILABLE
    }
    rates = { rates: read.rates, source: ratesFile }
  }

  const notes: string[] = []
  const key = await resolveHashKey(io)
  if (key.key === undefined) {
    const warning = 'No RISKGATE_HASH_KEY (nor development key): list entries cannot be hashed like the recorded identifiers, so rules matching email.address, customer.id, card.fingerprint or ip.address against lists do not fire in this replay.'
    io.stderr.write(`riskgate ${NAME}: ${warning}\n`)
    notes.push(warning)
  } else if (key.from === 'development key file') {
    notes.push('Identifiers were matched with the development hash key (RISKGATE_HASH_KEY is not set).')
  }
  const hash = createSnapshotHash(key.key ?? randomBytes(32).toString('base64url'))

  const candidate = await loadSide(path.resolve(io.cwd, rules), hash)
  if (!candidate.ok) {
    io.stderr.write(`riskgate ${NAME}: candidate: ${candidate.message}\n`)
    return candidate.code
  }
  const currentDir = stringOption(parsed.values, 'current')
  let current: BacktestSide | undefined
  if (currentDir !== undefined) {
    const loaded = await loadSide(path.resolve(io.cwd, currentDir), hash)
    if (!loaded.ok) {
      io.stderr.write(`riskgate ${NAME}: current: ${loaded.message}\n`)
      return loaded.code
    }
    current = loaded.side
  }

  const inputFile = stringOption(parsed.values, 'input')
  let input: AsyncIterable<Buffer | string> = io.stdin as AsyncIterable<Buffer | string>
  let total: number | undefined
  let source = 'stdin'
  if (inputFile !== undefined && inputFile !== '-') {
    const file = path.resolve(io.cwd, inputFile)
    try {
      total = (await stat(file)).size
    } catch (error) {
      io.stderr.write(`riskgate ${NAME}: cannot read ${inputFile}: ${(error as { code?: string }).code ?? String(error)}\n`)
      return ExitCode.UNAVAILABLE
    }
    input = createReadStream(file, { highWaterMark: 1 << 20 })
    source = inputFile
  }

  const progress = createProgress(io.stderr, { label: 'replaying', tty: isTty(io.stderr), ...(total !== undefined ? { total } : {}) })
  const report = await runBacktest({
    input,
    source,
    candidate: candidate.side,
    ...(current !== undefined ? { current } : {}),
    refundAs,
    range: range.range,
    countBlockedOutcomes: parsed.values['count-blocked-outcomes'] === true,
    ...(rates !== undefined ? { rates } : {}),
    velocityLimits: limits,
    notes,
    onProgress: ({ bytes, records }) => { progress.update(bytes, records) }
  })
  progress.finish(report.input.records)

  if (parsed.values.json === true) io.stdout.write(JSON.stringify(report, null, 2) + '\n')
  else io.stdout.write(formatTerminalReport(report))
  const html = stringOption(parsed.values, 'html')
  if (html !== undefined) {
    try {
      await writeFile(path.resolve(io.cwd, html), renderHtmlReport(report))
    } catch (error) {
      io.stderr.write(`riskgate ${NAME}: cannot write ${html}: ${(error as { code?: string }).code ?? String(error)}\n`)
      return ExitCode.UNAVAILABLE
    }
    io.stderr.write(`riskgate ${NAME}: HTML report written to ${html}\n`)
  }
  if (report.input.records === 0) {
    const outside = report.input.before_period + report.input.after_period
    io.stderr.write(`riskgate ${NAME}: no decision record in ${source}${outside > 0 ? ` within the period (${outside} outside it)` : ''}` +
      `${report.input.invalid > 0 ? ` (${report.input.invalid} lines are not decision records)` : ''}\n`)
    return ExitCode.FAILED
  }
  return ExitCode.OK
}

export const backtestCommand: CliCommand = {
  path: ['backtest'],
  summary: 'replay recorded decisions through a candidate rule set: what changes, fraud caught, good charges blocked (text, JSON, HTML)',
  usage: USAGE,
  run
}
