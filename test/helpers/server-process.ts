import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { rootDir } from './test-data.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface ServerProcess {
  child: ChildProcess
  /** everything it wrote to stdout and stderr so far */
  output: () => string
  /** its exit code, once it has exited */
  exited: Promise<number | null>
  /**
   * Polls until the condition holds, while the server runs: a bounded wait (30 s and more, for a
   * loaded machine) for the server, not a measurement. Throws with the server's output otherwise.
   */
  until: (condition: () => Promise<boolean>, what: string) => Promise<void>
}

/** Starts `node <args>` in the project folder with only `env` (and PATH); killed at teardown. */
export function startServerProcess (t: Teardown, args: string[], env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, args, { cwd: rootDir, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.teardown(() => { child.kill('SIGKILL') })
  return {
    child,
    output: () => output,
    exited,
    async until (condition, what) {
      for (let i = 0; i < 1200 && child.exitCode === null; i++) {
        try {
          if (await condition()) return
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      throw new Error(`${what} did not happen: ${output}`)
    }
  }
}
