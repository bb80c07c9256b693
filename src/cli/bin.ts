import { runCli } from './main.js'

// The `riskgate` executable (package.json "bin"). Reads the environment only to hand it to the
// commands that load riskgate's configuration.
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd()
}).then((code) => {
  process.exitCode = code
}, (err: unknown) => {
  process.stderr.write(`riskgate: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exitCode = 1
})
