import { access } from 'node:fs/promises'
import path from 'node:path'
import { formatRuleTestResult } from '../../engine/rule-tests.js'
import { formatSourceError } from '../../engine/yaml-source.js'
import { displayPath, RULESET_FILE } from '../../ruleset/load.js'
import { RuleSetError } from '../../ruleset/rule-set-error.js'
import { runRuleTestDir, TESTS_FOLDER } from '../../ruleset/rule-tests.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { parseOptions, usageError } from '../options.js'
import { rulesDirOf } from '../rules-dir.js'

const NAME = 'rules test'

const USAGE = `usage: riskgate rules test [dir] [--verbose] [--json]

Runs the rule tests of <dir>/tests/*.yaml (default dir: $RISKGATE_RULES_DIR, else ./rules) against
the rule set of <dir>, with the engine that scores live traffic. A failed case says which
expectation failed and why (e.g. "expected tor_exit to fire, but skipped: unknown ip.is_tor").
The test file format is in rules/README.md.

options:
  --verbose  list passing cases too
  --json     print { passed, failed, results, errors } as JSON

exit codes: 0 every case passed, 1 a case failed, a test file is invalid or the rule set does not
            compile, 2 wrong usage, 3 the rule set cannot be read

examples:
  riskgate rules test
  riskgate rules test rules/ --verbose
`

async function run (argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(argv, { verbose: { type: 'boolean' }, json: { type: 'boolean' } }, 1)
  if (!parsed.ok) {
    usageError(io, NAME, parsed.message)
    return ExitCode.USAGE
  }
  const dir = rulesDirOf(io, parsed.positionals[0])
  const file = path.join(dir, RULESET_FILE)
  try {
    await access(file)
  } catch {
    io.stderr.write(`riskgate ${NAME}: cannot read ${displayPath(file)}\n`)
    return ExitCode.UNAVAILABLE
  }

  let report
  try {
    report = await runRuleTestDir(dir)
  } catch (error) {
    if (!(error instanceof RuleSetError)) throw error
    io.stdout.write(`${error.lines.join('\n')}\nthe rule set would be refused (compile or lint errors): no test was run\n`)
    return ExitCode.FAILED
  }
  const failed = report.failed > 0 || report.errors.length > 0

  if (parsed.values.json === true) {
    const results = report.results.map(({ file, line, name, passed, failures }) => ({ file, line, name, passed, failures }))
    io.stdout.write(JSON.stringify({ ok: !failed, passed: report.passed, failed: report.failed, results, errors: report.errors }, null, 2) + '\n')
    return failed ? ExitCode.FAILED : ExitCode.OK
  }
  for (const error of report.errors) io.stdout.write(`${formatSourceError(error, 'case')}\n`)
  for (const result of report.results) {
    if (!result.passed || parsed.values.verbose === true) io.stdout.write(`${formatRuleTestResult(result)}\n`)
  }
  if (report.results.length === 0 && report.errors.length === 0) {
    io.stderr.write(`riskgate ${NAME}: no test cases in ${displayPath(path.join(dir, TESTS_FOLDER))}\n`)
  }
  const problems = report.errors.length === 0 ? '' : `, ${report.errors.length} error${report.errors.length === 1 ? '' : 's'} in test files`
  io.stdout.write(`${report.passed} passed, ${report.failed} failed${problems}\n`)
  return failed ? ExitCode.FAILED : ExitCode.OK
}

export const rulesTestCommand: CliCommand = {
  path: ['rules', 'test'],
  summary: 'run the rule tests in <dir>/tests/ and say which expectation failed and why',
  usage: USAGE,
  run
}
