import type { CliCommand } from './command.js'
import { rulesCheckCommand } from './commands/rules-check.js'
import { rulesTestCommand } from './commands/rules-test.js'
import { scoreCommand } from './commands/score.js'
import { backtestCommand } from './commands/backtest.js'
import { backtestChallengerCommand } from './commands/backtest-challenger.js'
import { dataStatusCommand } from './commands/data-status.js'
import { dataUpdateCommand } from './commands/data-update.js'
import { dataUpdateTorCommand } from './commands/data-update-tor.js'
import { decisionsExportCommand } from './commands/decisions-export.js'
import { outcomesImportCommand } from './commands/outcomes-import.js'

/**
 * Every CLI command, in the order `riskgate --help` lists them. A command lives in its own file
 * under src/cli/commands/ and is added here.
 */
export const commands: CliCommand[] = [
  rulesCheckCommand,
  rulesTestCommand,
  scoreCommand,
  backtestCommand,
  backtestChallengerCommand,
  dataStatusCommand,
  dataUpdateCommand,
  dataUpdateTorCommand,
  decisionsExportCommand,
  outcomesImportCommand
]
