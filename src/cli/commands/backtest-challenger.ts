import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { readNdjsonLines } from '../../backtest/ndjson.js'
import { OutcomeClass } from '../../backtest/outcome.js'
import { parseRecordLine } from '../../backtest/record-input.js'
import { createRolloutComparison } from '../../rollout/compare.js'
import { formatComparison } from '../../rollout/format-comparison.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { parseOptions, stringOption, usageError } from '../options.js'

const NAME = 'backtest challenger'

const USAGE = `usage: riskgate backtest challenger [--input <file.ndjson>] [--json] [--refund fraud|good|unlabelled]

Compares what the live rule set and a challenger staged beside it (POST /v1/rules/challenger)
decided on the same live traffic, from recorded decisions (NDJSON, from a file or stdin): for each
pair of rule sets, how often they agree, the live -> challenger decision matrix, and on labelled
outcomes the fraud each caught (blocked), reviewed and missed, the good charges each blocked,
precision and recall. Nothing is replayed: both decisions are the ones made live, each with the
velocity counters it declared.

To try a rule set that never ran beside the live one, replay it instead:
riskgate backtest --rules <dir>.

options:
  --input <file>       NDJSON decision records (default: stdin; \`-\` is stdin)
  --json               print the comparison as JSON instead of text
  --refund <class>     count refunds as fraud, good or unlabelled (default: unlabelled)

exit codes: 0 done, 1 no record was decided with a challenger, 2 wrong usage, 3 the input cannot be read

examples:
  riskgate decisions export --from 2026-12-01 > decisions.ndjson
  riskgate backtest challenger --input decisions.ndjson
`

function refundClass (value: string | undefined): OutcomeClass | undefined {
  if (value === undefined) return OutcomeClass.UNLABELLED
  return (Object.values(OutcomeClass) as string[]).includes(value) ? value as OutcomeClass : undefined
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(argv, { input: { type: 'string' }, from: { type: 'string' }, json: { type: 'boolean' }, refund: { type: 'string' } }, 0)
  if (!parsed.ok) {
    usageError(io, NAME, parsed.message)
    return ExitCode.USAGE
  }
  const refundAs = refundClass(stringOption(parsed.values, 'refund'))
  if (refundAs === undefined) {
    usageError(io, NAME, '--refund must be fraud, good or unlabelled')
    return ExitCode.USAGE
  }
  // as in riskgate backtest, the records file is --input (it was --from before)
  if (stringOption(parsed.values, 'from') !== undefined) {
    usageError(io, NAME, 'the records file is given with --input <file> (--from no longer takes it)')
    return ExitCode.USAGE
  }
  const name = stringOption(parsed.values, 'input')
  let input: AsyncIterable<Buffer | string> = io.stdin as AsyncIterable<Buffer | string>
  let source = 'stdin'
  if (name !== undefined && name !== '-') {
    const file = path.resolve(io.cwd, name)
    try {
      await stat(file)
    } catch (error) {
      io.stderr.write(`riskgate ${NAME}: cannot read ${name}: ${(error as { code?: string }).code ?? String(error)}\n`)
      return ExitCode.UNAVAILABLE
    }
    input = createReadStream(file, { highWaterMark: 1 << 20 })
    source = name
  }

  const comparison = createRolloutComparison(refundAs)
  let invalid = 0
  try {
    await readNdjsonLines(input, (line) => {
      const record = parseRecordLine(line)
      if (record.ok) comparison.add(record.record)
      else invalid++
    })
  } catch (error) {
    io.stderr.write(`riskgate ${NAME}: cannot read ${source}: ${(error as { code?: string }).code ?? String(error)}\n`)
    return ExitCode.UNAVAILABLE
  }
  const report = comparison.report()
  if (parsed.values.json === true) io.stdout.write(JSON.stringify({ source, invalid, ...report }, null, 2) + '\n')
  else io.stdout.write(formatComparison(report))
  if (invalid > 0) io.stderr.write(`riskgate ${NAME}: ${invalid} lines of ${source} are not decision records\n`)
  if (report.compared === 0) {
    io.stderr.write(`riskgate ${NAME}: no record in ${source} was decided with a challenger beside the live set\n`)
    return ExitCode.FAILED
  }
  return ExitCode.OK
}

export const backtestChallengerCommand: CliCommand = {
  path: ['backtest', 'challenger'],
  summary: 'compare the live rule set and a challenger on the live traffic both decided: agreement, decision matrix, fraud caught by each',
  usage: USAGE,
  run
}
