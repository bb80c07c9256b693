import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Value } from 'typebox/value'
import { ConfigError, loadDataConfig } from '../../config/load-config.js'
import type { AppConfig } from '../../config/app-config.js'
import { RiskgateError } from '../../errors.js'
import { RuleSetError } from '../../ruleset/rule-set-error.js'
import { ChargeContextSchema } from '../../schemas/charge.js'
import type { ChargeContext } from '../../schemas/charge.js'
import { findCardData } from '../../security/card-data.js'
import type { CliCommand, CliIo } from '../command.js'
import { ExitCode } from '../command.js'
import { formatDecision } from '../format-decision.js'
import { createOfflineScorer } from '../offline-scorer.js'
import type { OfflineScorer } from '../offline-scorer.js'
import { parseOptions, stringListOption, stringOption, usageError } from '../options.js'
import { rulesDirOf } from '../rules-dir.js'

const NAME = 'score'

const USAGE = `usage: riskgate score [file|-] [--rules <dir>] [--json] [--velocity <counter>=<n>]...

Scores a charge offline through the service's own scoring code: the same normalization, IP data,
email and card signals, velocity counting (in process) and rule engine as POST /v1/score. The input
is the charge context as the API takes it (JSON), from a file or stdin (\`-\` or no file). Several
charges (a JSON array, or NDJSON: one a line) are scored in order and count towards each other's
velocity, as they would in the service.

options:
  --rules <dir>            rule set folder (default: $RISKGATE_RULES_DIR, else ./rules)
  --json                   print the API response (one JSON line per charge for several)
  --velocity <name>=<n>    what-if: replace the counted value of a velocity counter (repeatable)

IP data: RISKGATE_MMDB_COUNTRY, RISKGATE_MMDB_ASN, RISKGATE_MMDB_ANONYMOUS, RISKGATE_MMDB_CONNECTION_TYPE, RISKGATE_TOR_EXITS_FILE
and RISKGATE_HOSTING_LISTS as for the service, else the bundled open data.

exit codes: 0 scored, 1 a charge was refused (invalid, or it carries card data), 2 wrong usage,
            3 the input, the rule set or the IP data cannot be read

examples:
  riskgate score charge.json
  echo '{"charge_id":"c1","amount":250000,"currency":"THB","ip":"8.8.8.8"}' | riskgate score --json
  riskgate score charge.json --velocity charges_per_ip_1h=7
`

async function readInput (file: string | undefined, io: CliIo): Promise<string> {
  if (file !== undefined && file !== '-') return await readFile(path.resolve(io.cwd, file), 'utf8')
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** One JSON value, a JSON array of charges, or NDJSON. */
interface InputCharge { label: string, value?: unknown, error?: string }

function splitCharges (text: string): InputCharge[] {
  try {
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value)) return value.map((v, i) => ({ label: `#${i + 1}`, value: v }))
    return [{ label: '#1', value }]
  } catch {
    return text.split(/\r?\n/).flatMap((line, i): InputCharge[] => {
      if (line.trim() === '') return []
      try {
        return [{ label: `line ${i + 1}`, value: JSON.parse(line) as unknown }]
      } catch {
        return [{ label: `line ${i + 1}`, error: 'not JSON' }]
      }
    })
  }
}

/** Why a body is not a charge context, as the API would say it (paths, never values). */
function refusal (value: unknown): string | undefined {
  const cardData = findCardData(value)
  if (cardData.length > 0) {
    return `card_data_not_allowed_tokenize_first: ${cardData.map((f) => f.path).join(', ')} carries card data: tokenize the card at your gateway and send its fingerprint`
  }
  if (Value.Check(ChargeContextSchema, value)) return undefined
  const details = [...Value.Errors(ChargeContextSchema, value)].flatMap((e) => {
    if (e.keyword === 'boolean') return []
    if (e.keyword === 'additionalProperties') {
      const names = (e.params as { additionalProperties?: string[] }).additionalProperties ?? []
      return names.map((name) => `${e.instancePath}/${name}: unknown field`)
    }
    return [`${e.instancePath === '' ? '/' : e.instancePath}: ${e.message}`]
  })
  return `validation_failed: ${[...new Set(details)].join('; ')}`
}

function parseVelocity (specs: string[]): Record<string, number> | string {
  const out: Record<string, number> = {}
  for (const spec of specs) {
    const m = /^([a-z][a-z0-9_]*)=(\d{1,15})$/.exec(spec)
    if (m === null) return `--velocity ${spec}: expected <counter>=<non-negative integer>`
    out[m[1] as string] = Number(m[2])
  }
  return out
}

async function run (argv: string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(argv, { rules: { type: 'string' }, json: { type: 'boolean' }, velocity: { type: 'string', multiple: true } }, 1)
  if (!parsed.ok) {
    usageError(io, NAME, parsed.message)
    return ExitCode.USAGE
  }
  const velocity = parseVelocity(stringListOption(parsed.values, 'velocity'))
  if (typeof velocity === 'string') {
    usageError(io, NAME, velocity)
    return ExitCode.USAGE
  }

  let data: AppConfig['data']
  try {
    data = loadDataConfig(io.env, io.cwd)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    io.stderr.write(`riskgate ${NAME}: ${error.message}\n`)
    return ExitCode.UNAVAILABLE
  }
  let text: string
  try {
    text = await readInput(parsed.positionals[0], io)
  } catch (error) {
    io.stderr.write(`riskgate ${NAME}: cannot read ${parsed.positionals[0] ?? 'stdin'}: ${(error as { code?: string }).code ?? String(error)}\n`)
    return ExitCode.UNAVAILABLE
  }
  const charges = splitCharges(text)
  if (charges.length === 0) {
    io.stderr.write(`riskgate ${NAME}: no charge in the input\n`)
    return ExitCode.UNAVAILABLE
  }

  let offline: OfflineScorer
  try {
    offline = await createOfflineScorer({ rulesDir: rulesDirOf(io, stringOption(parsed.values, 'rules')), data, velocityOverrides: velocity })
  } catch (error) {
    const message = error instanceof RuleSetError ? error.message : `cannot load the IP data: ${error instanceof Error ? error.message : String(error)}`
    io.stderr.write(`riskgate ${NAME}: ${message}\n`)
    return ExitCode.UNAVAILABLE
  }
  const declared = new Set(offline.ruleSet.velocity.map((s) => s.name))
  const unknown = Object.keys(velocity).filter((name) => !declared.has(name))
  if (unknown.length > 0) {
    await offline.close()
    usageError(io, NAME, `--velocity ${unknown.join(', ')}: not a counter of the rule set (declared: ${[...declared].join(', ') || 'none'})`)
    return ExitCode.USAGE
  }

  let refused = 0
  try {
    for (const charge of charges) {
      const problem = charge.error ?? refusal(charge.value)
      if (problem !== undefined) {
        refused++
        io.stderr.write(`riskgate ${NAME}: charge ${charge.label} refused: ${problem}\n`)
        continue
      }
      try {
        const response = await offline.scorer.score(charge.value as ChargeContext)
        if (parsed.values.json === true) io.stdout.write(charges.length === 1 ? JSON.stringify(response, null, 2) + '\n' : JSON.stringify(response) + '\n')
        else io.stdout.write((charges.length > 1 ? '\n' : '') + formatDecision(response))
      } catch (error) {
        if (!(error instanceof RiskgateError)) throw error
        refused++
        const details = (error.details ?? []).map((d) => `${d.path}: ${d.message}`).join('; ')
        io.stderr.write(`riskgate ${NAME}: charge ${charge.label} refused: ${error.code}: ${details === '' ? error.message : details}\n`)
      }
    }
    for (const warning of offline.warnings) io.stderr.write(`riskgate ${NAME}: ${warning}\n`)
  } finally {
    await offline.close()
  }
  return refused > 0 ? ExitCode.FAILED : ExitCode.OK
}

export const scoreCommand: CliCommand = {
  path: ['score'],
  summary: 'score a charge context (JSON, as the API takes it) offline, through the service\'s scoring code',
  usage: USAGE,
  run
}
