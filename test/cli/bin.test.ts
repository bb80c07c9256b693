import t from 'tap'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { runCli } from '../../src/cli/main.js'
import { commands } from '../../src/cli/registry.js'
import { rootDir } from '../helpers/test-data.js'
import { captureIo } from '../helpers/cli-io.js'

t.test('every command answers --help with its usage', async (t) => {
  for (const command of commands) {
    const io = captureIo({ cwd: rootDir })
    t.equal(await runCli([...command.path, '--help'], io), 0, command.path.join(' '))
    t.match(io.out(), new RegExp(`usage: riskgate ${command.path.join(' ')}\\b`), `${command.path.join(' ')} --help`)
  }
})

t.test('the installed executable, after a build: bin/riskgate.js', async (t) => {
  // the same compiler and config as `npm run build`, in build mode: it compares the sources with
  // dist/tsconfig.build.tsbuildinfo (written by every build, `npm ci` included) and recompiles
  // only when dist/ is missing or older than them, so a stale dist/ is rebuilt first; a build
  // with errors fails here, and keeps failing until it is fixed
  const build = spawnSync(process.execPath, [path.join(rootDir, 'node_modules', 'typescript', 'bin', 'tsc'), '--build', 'tsconfig.build.json'], { cwd: rootDir, encoding: 'utf8' })
  t.equal(build.status, 0, `the build succeeds: ${build.stdout}${build.stderr}`)
  t.ok(existsSync(path.join(rootDir, 'dist', 'src', 'cli', 'bin.js')), 'built')
  const bin = path.join(rootDir, 'bin', 'riskgate.js')
  const run = (args: string[], input?: string): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, [bin, ...args], { cwd: rootDir, encoding: 'utf8', input, env: { PATH: process.env.PATH ?? '' } })

  const help = run(['--help'])
  t.equal(help.status, 0)
  for (const command of commands) t.match(help.stdout, `riskgate ${command.path.join(' ')}`, `--help lists ${command.path.join(' ')}`)

  const none = run([])
  t.equal(none.status, 2, 'no command is a usage error')
  const unknown = run(['nope'])
  t.equal(unknown.status, 2)
  t.match(unknown.stderr, /unknown command "nope"/)

  const check = run(['rules', 'check'])
  t.equal(check.status, 0, String(check.stderr))
  t.match(check.stdout, /0 errors, \d+ warnings? \(\d+ acknowledged\): ok/)

  const score = run(['score', '--json'], JSON.stringify({ charge_id: 'bin_1', amount: 1000, currency: 'THB', ip: '192.168.1.1' }))
  t.equal(score.status, 0, String(score.stderr))
  t.match(JSON.parse(String(score.stdout)), { charge_id: 'bin_1', decision: 'allow', signals: { ip: { is_private: true } } })
})
