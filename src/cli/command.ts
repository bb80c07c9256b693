/**
 * One `riskgate` CLI command. Every command answers `--help` with its usage, writes results to
 * stdout and problems to stderr, and returns its exit code (see ExitCode).
 */
export interface CliIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  /** the environment, for commands that read riskgate's configuration */
  env: Record<string, string | undefined>
  cwd: string
}

export interface CliCommand {
  /** words that select it, e.g. ['rules', 'check'] */
  path: readonly string[]
  summary: string
  /** full help text: usage line, arguments, options, examples */
  usage: string
  run: (argv: string[], io: CliIo) => Promise<number>
}

export const ExitCode = {
  OK: 0,
  /** the command ran and found problems (failed rule tests, lint errors, refused file...) */
  FAILED: 1,
  /** wrong usage: unknown command or option, missing argument */
  USAGE: 2,
  /** an input could not be read or a dependency was unavailable */
  UNAVAILABLE: 3
} as const
export type ExitCode = typeof ExitCode[keyof typeof ExitCode]
