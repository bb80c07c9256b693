import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { prepareReplay } from '../../backtest/replay-ruleset.js'
import type { ReplayRuleSet } from '../../backtest/replay-ruleset.js'
import { formatTerminalReport } from '../../backtest/format-terminal.js'
import { renderHtmlReport } from '../../backtest/html-report.js'
import { OutcomeClass } from '../../backtest/outcome.js'
import { runBacktest } from '../../backtest/run-backtest.js'
import type { BacktestSide } from '../../backtest/run-backtest.js'
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

const USAGE = `usage: riskgate backtest --rules <candidate dir> [--from <file.ndjson>] [--current <dir>]
                         [--html <report.html>] [--json] [--refund fraud|good|unlabelled]

Replays recorded decisions (NDJSON decision records, from a file or stdin) through a candidate
rule set with the live engine, and compares with the current decisions: what changes (an
allow/review/block matrix with counts and amounts), per-rule hits, and where outcomes were reported,
fraud caught and good charges blocked, precision and recall, and a block-threshold curve.

Get the records with \`riskgate decisions export\` (or GET /v1/decisions/export with an analyst key).

options:
  --rules <dir>        the candidate rule set folder (required)
  --from <file>        NDJSON decision records (default: stdin; \`-\` is stdin)
  --current <dir>      compare with this rule set, replayed like the candidate (default: the
                       decisions as recorded, each with the rule set it was decided with)
  --html <file>        also write a self-contained HTML report (inline SVG charts)
  --json               print the report as JSON instead of text
  --refund <class>     count refunds as fraud, good or unlabelled (default: unlabelled)

Identifiers in records are keyed hashes: list entries are hashed with RISKGATE_HASH_KEY (or the
development key in RISKGATE_DEV_STATE_DIR) so that \`email.address in lists.x\` replays exactly.
Velocity values are replayed as recorded. Progress goes to stderr. Details: docs/backtest.md.

exit codes: 0 done, 1 a rule set would be refused (compile or lint errors) or the input holds no decision record,
            2 wrong usage, 3 a rule set folder or the input cannot be read, or the report not written

examples:
  riskgate decisions export --from 2026-10-01 > decisions.ndjson
  riskgate backtest --rules rules-next/ --from decisions.ndjson --html backtest.html
  riskgate backtest --rules rules-next/ --current rules/ < decisions.ndjson
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
    from: { type: 'string' },
    current: { type: 'string' },
    html: { type: 'string' },
    json: { type: 'boolean' },
    refund: { type: 'string' }
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

  const from = stringOption(parsed.values, 'from')
  let input: AsyncIterable<Buffer | string> = io.stdin as AsyncIterable<Buffer | string>
  let total: number | undefined
  let source = 'stdin'
  if (from !== undefined && from !== '-') {
    const file = path.resolve(io.cwd, from)
    try {
      total = (await stat(file)).size
    } catch (error) {
      io.stderr.write(`riskgate ${NAME}: cannot read ${from}: ${(error as { code?: string }).code ?? String(error)}\n`)
      return ExitCode.UNAVAILABLE
    }
    input = createReadStream(file, { highWaterMark: 1 << 20 })
    source = from
  }

  const progress = createProgress(io.stderr, { label: 'replaying', tty: isTty(io.stderr), ...(total !== undefined ? { total } : {}) })
  const report = await runBacktest({
    input,
    source,
    candidate: candidate.side,
    ...(current !== undefined ? { current } : {}),
    refundAs,
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
    io.stderr.write(`riskgate ${NAME}: no decision record in ${source}${report.input.invalid > 0 ? ` (${report.input.invalid} lines are not decision records)` : ''}\n`)
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
