import t from 'tap'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '../src/auth/api-keys.js'
import { freePort } from './helpers/redis.js'
import { rootDir } from './helpers/test-data.js'

const ANALYST_SECRET = 'test-secret-analyst-server-0123456789'

t.test('SIGHUP reloads the rule set, audited as SIGHUP, and the server keeps serving; SIGTERM closes it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-server-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const rulesDir = path.join(dir, 'rules')
  cpSync(path.join(rootDir, 'rules'), rulesDir, { recursive: true })
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(rootDir, 'src', 'server.ts')], {
    cwd: rootDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      RISKGATE_HOST: '127.0.0.1',
      RISKGATE_PORT: String(port),
      RISKGATE_RULES_DIR: rulesDir,
      RISKGATE_API_KEYS: `analyst:analyst:${sha256(ANALYST_SECRET).toString('hex')}`,
      RISKGATE_HASH_KEY: 'test-hash-key-server-0123456789abcdef',
      RISKGATE_DEV_STATE_DIR: path.join(dir, 'state')
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.teardown(() => { child.kill('SIGKILL') })

  const base = `http://127.0.0.1:${port}`
  const get = async (url: string) => await fetch(base + url, { headers: { authorization: `Bearer ${ANALYST_SECRET}` } })
  /** polls until the condition holds, while the server runs: a bounded wait (30 s and more, for a
   * loaded machine) for the server, not a measurement */
  async function until (condition: () => Promise<boolean>, what: string): Promise<void> {
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

  await until(async () => (await fetch(`${base}/healthz`)).ok, 'the server start')
  const before = await (await get('/v1/rules')).json() as { version: string, hash: string }

  const file = path.join(rulesDir, 'ruleset.yaml')
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: .*$/m, 'version: "sighup-test.1"'))
  child.kill('SIGHUP')
  await until(async () => ((await (await get('/v1/rules/audit')).json()) as { entries: unknown[] }).entries.length === 1, 'the audited reload')

  const entries = ((await (await get('/v1/rules/audit')).json()) as { entries: Array<{ actor: string, result: string, previous: { version: string }, loaded: { version: string } }> }).entries
  t.equal(entries[0]?.actor, 'SIGHUP')
  t.equal(entries[0]?.result, 'applied')
  t.equal(entries[0]?.previous.version, before.version)
  t.equal(entries[0]?.loaded.version, 'sighup-test.1')
  t.equal(((await (await get('/v1/rules')).json()) as { version: string }).version, 'sighup-test.1')
  t.equal(child.exitCode, null, 'still running after SIGHUP')

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM closes it cleanly')
})
