import type { CliCommand, CliIo } from './command.js'
import { ExitCode } from './command.js'
import { commands } from './registry.js'

function overview (): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 10)
  const lines = commands.map((c) => `  riskgate ${c.path.join(' ').padEnd(width)}  ${c.summary}`)
  return ['usage: riskgate <command> [options]', '', 'commands:', ...lines, '',
    'Run `riskgate <command> --help` for the options of a command.', ''].join('\n')
}

/** Finds the command whose path is the longest prefix of argv. */
export function findCommand (argv: readonly string[]): { command: CliCommand, rest: string[] } | undefined {
  let best: CliCommand | undefined
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word)
    if (matches && (best === undefined || command.path.length > best.path.length)) best = command
  }
  return best === undefined ? undefined : { command: best, rest: argv.slice(best.path.length) }
}

export async function runCli (argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(overview())
    return argv.length === 0 ? ExitCode.USAGE : ExitCode.OK
  }
  const found = findCommand(argv)
  if (found === undefined) {
    io.stderr.write(`riskgate: unknown command "${argv.join(' ')}"\n\n${overview()}`)
    return ExitCode.USAGE
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.stdout.write(found.command.usage.endsWith('\n') ? found.command.usage : found.command.usage + '\n')
    return ExitCode.OK
  }
  return await found.command.run(found.rest, io)
}
