import { PassThrough, Readable } from 'node:stream'
import type { CliIo } from '../../src/cli/command.js'
import { runCli } from '../../src/cli/main.js'

export interface CapturedIo extends CliIo {
  out: () => string
  err: () => string
}

/** A CliIo whose stdout and stderr are captured, stdin given, for running commands in-process. */
export function captureIo (options: { cwd: string, env?: Record<string, string | undefined>, stdin?: string, tty?: boolean }): CapturedIo {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  stderr.on('data', (chunk: Buffer) => { err += chunk.toString() })
  if (options.tty === true) (stderr as unknown as { isTTY: boolean }).isTTY = true
  return {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    cwd: options.cwd,
    out: () => out,
    err: () => err
  }
}

/** Runs one CLI command in-process and returns its exit code and what it printed. */
export async function runCaptured (argv: string[], env: Record<string, string | undefined> = {}, cwd = process.cwd()): Promise<{ code: number, stdout: string, stderr: string }> {
  const io = captureIo({ cwd, env })
  const code = await runCli(argv, io)
  return { code, stdout: io.out(), stderr: io.err() }
}
