import { formatSourceError } from '../../engine/yaml-source.js'
import { formatFinding, isOpenWarning, LintSeverity } from '../../lint/finding.js'
import { checkRuleSet, mayGoLive } from '../../ruleset/go-live.js'
import type { RuleSetCheck } from '../../ruleset/go-live.js'
import { readRuleSetSource } from '../../ruleset/load.js'
import { RuleSetError } from '../../ruleset/rule-set-error.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { parseOptions, usageError } from '../options.js'
import { rulesDirOf } from '../rules-dir.js'

const NAME = 'rules check'

const USAGE = `usage: riskgate rules check [dir] [--strict] [--json]

Parses and type-checks the rule set in <dir> (default: $RISKGATE_RULES_DIR, else ./rules), reporting
every error at its file:line:col (a matches() pattern RE2 refuses is one), then lints it:

  errors    rules that can never fire (a contradiction, the constant false, a comparison with a
            value outside what riskgate produces, e.g. currency == "thb")
  warnings  rules that fire on every charge; action rules shadowed by another action rule; score
            rules with the same condition; allow rules that can override a block: fire on the same
            charge as a block rule, or on one whose score reaches the block threshold (with an
            example charge); lists and velocity counters declared but unused; empty lists

A rule may acknowledge one of its warnings on purpose, with a reason (rules/README.md):
  acknowledge:
    - { warning: allow_block_overlap, reason: "trusted customers are allowed on purpose" }
An acknowledged warning is still listed, with its reason, but does not fail --strict; an
acknowledgement without a reason is an error, one of a warning the rule does not have a warning.

A set with any error, compile or lint, is one the service refuses, at start and on reload, exactly
as this check fails; warnings never stop it.

options:
  --strict   warnings fail the check too, except acknowledged ones
  --json     print { ok, errors, findings } as JSON instead of text

exit codes: 0 no errors (and no unacknowledged warnings with --strict), 1 errors found, 2 wrong usage,
            3 the rule set cannot be read

examples:
  riskgate rules check
  riskgate rules check rules/ --strict
`

/** The check of the rule set in `dir`, warnings included, or why its rule file cannot be read. */
export async function checkRuleDir (dir: string): Promise<RuleSetCheck | { unreadable: string }> {
  try {
    return checkRuleSet(await readRuleSetSource(dir), { warnings: true })
  } catch (error) {
    if (error instanceof RuleSetError) return { unreadable: error.lines.join('\n') }
    throw error
  }
}

function plural (n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(argv, { strict: { type: 'boolean' }, json: { type: 'boolean' } }, 1)
  if (!parsed.ok) {
    usageError(io, NAME, parsed.message)
    return ExitCode.USAGE
  }
  const strict = parsed.values.strict === true
  const dir = rulesDirOf(io, parsed.positionals[0])
  const result = await checkRuleDir(dir)
  if ('unreadable' in result) {
    io.stderr.write(`riskgate ${NAME}: ${result.unreadable}\n`)
    return ExitCode.UNAVAILABLE
  }
  const lintErrors = result.findings.filter((f) => f.severity === LintSeverity.ERROR).length
  const warnings = result.findings.length - lintErrors
  const open = result.findings.filter(isOpenWarning).length
  const errors = result.errors.length + lintErrors
  // what the service decides (src/ruleset/go-live.ts), and unacknowledged warnings too with --strict
  const live = mayGoLive(result)
  const failed = !live || (strict && open > 0)

  if (parsed.values.json === true) {
    io.stdout.write(JSON.stringify({ ok: !failed, errors: result.errors, findings: result.findings }, null, 2) + '\n')
    return failed ? ExitCode.FAILED : ExitCode.OK
  }
  if (result.ruleSet !== undefined) {
    const rs = result.ruleSet
    io.stdout.write(`${rs.definition.file}: ${plural(rs.rules.length, 'rule')}, ${plural(rs.velocity.length, 'velocity counter')}, ` +
      `${plural(rs.lists.size, 'list')} (version ${rs.version}, hash ${rs.hash.slice(0, 12)})\n`)
  }
  for (const error of result.errors) io.stdout.write(`${formatSourceError(error)}\n`)
  for (const finding of result.findings) io.stdout.write(`${formatFinding(finding)}\n`)
  const verdict = result.errors.length > 0
    ? 'the rule set does not compile: it would be refused'
    : !live ? 'lint errors: it would be refused' : failed ? 'warnings fail with --strict' : 'ok'
  const acknowledged = warnings - open
  io.stdout.write(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}${acknowledged > 0 ? ` (${acknowledged} acknowledged)` : ''}: ${verdict}\n`)
  return failed ? ExitCode.FAILED : ExitCode.OK
}

export const rulesCheckCommand: CliCommand = {
  path: ['rules', 'check'],
  summary: 'type-check and lint a rule set as the service would load it (file:line:col errors, never-firing, shadowed and overriding rules)',
  usage: USAGE,
  run
}
