import path from 'node:path'
import type { CliIo } from './command.js'

/** The rule set folder a command works on: its argument, else RISKGATE_RULES_DIR, else ./rules. */
export function rulesDirOf (io: CliIo, given: string | undefined): string {
  const dir = given ?? io.env.RISKGATE_RULES_DIR ?? 'rules'
  return path.resolve(io.cwd, dir)
}
