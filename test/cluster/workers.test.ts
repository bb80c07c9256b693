import t from 'tap'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sha256 } from '../../src/auth/api-keys.js'
import { freePort, startRedis } from '../helpers/redis.js'
import { rootDir } from '../helpers/test-data.js'
import { startServerProcess } from '../helpers/server-process.js'

const SECRET = 'test-secret-workers-0123456789abcdef'

/** the processes a process started (Linux /proc), in the order the kernel lists them */
function childrenOf (pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number)
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

t.test('RISKGATE_WORKERS above 1 without Redis stops the start with a clear message', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-workers-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = startServerProcess(t, ['--import', 'tsx', path.join(rootDir, 'src', 'server.ts')], {
    NODE_ENV: 'test',
    RISKGATE_PORT: String(await freePort()),
    RISKGATE_WORKERS: '2',
    RISKGATE_DEV_STATE_DIR: path.join(dir, 'state')
  })
  t.equal(await server.exited, 78, 'EX_CONFIG')
  t.match(server.output(), /RISKGATE_WORKERS=2 \(2 processes\) needs Redis/)
})

t.test('two workers on one port: both serve; a dead worker is replaced; reloads reach every worker; SIGTERM drains all', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, async (t) => {
  const redis = await startRedis(t)
  const dir = mkdtempSync(path.join(tmpdir(), 'riskgate-workers-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const rulesDir = path.join(dir, 'rules')
  cpSync(path.join(rootDir, 'rules'), rulesDir, { recursive: true })
  const port = await freePort()
  const server = startServerProcess(t, ['--import', 'tsx', path.join(rootDir, 'src', 'server.ts')], {
    NODE_ENV: 'test',
    RISKGATE_HOST: '127.0.0.1',
    RISKGATE_PORT: String(port),
    RISKGATE_WORKERS: '2',
    RISKGATE_REDIS_URL: redis.url,
    RISKGATE_RULES_DIR: rulesDir,
    RISKGATE_API_KEYS: `ops:score+analyst+admin:${sha256(SECRET).toString('hex')}`,
    RISKGATE_HASH_KEY: 'test-hash-key-workers-0123456789abcdef',
    RISKGATE_DEV_STATE_DIR: path.join(dir, 'state'),
    RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0'
  })
  const { child, exited, until, output } = server
  const primary = child.pid as number
  t.teardown(() => { for (const pid of childrenOf(primary)) if (alive(pid)) process.kill(pid, 'SIGKILL') })
  const base = `http://127.0.0.1:${port}`
  const headers = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }
  const audit = async (): Promise<Array<{ actor: string, result: string }>> =>
    ((await (await fetch(`${base}/v1/rules/audit`, { headers })).json()) as { entries: Array<{ actor: string, result: string }> }).entries
  const readyWorkers = async (n: number): Promise<boolean> =>
    childrenOf(primary).length === n && (await fetch(`${base}/readyz`)).ok && (output().match(/Server listening at/g) ?? []).length >= n

  await until(async () => await readyWorkers(2), 'two workers listening')
  const workers = childrenOf(primary)
  t.equal(workers.length, 2, 'the primary started two workers')

  let seq = 0
  const score = async (): Promise<number> => (await fetch(`${base}/v1/score`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ charge_id: `ch_workers_${process.pid}_${seq++}`, amount: 1000, currency: 'THB', ip: '1.128.0.10', email: 'somchai@example.co.th' })
  })).status
  const statuses = await Promise.all(Array.from({ length: 20 }, score))
  t.same([...new Set(statuses)], [200], 'every charge scored')

  await t.test('SIGHUP to the primary: every worker reloads', async (t) => {
    process.kill(primary, 'SIGHUP')
    await until(async () => (await audit()).length === 2, 'two audited reloads')
    t.same((await audit()).map((e) => e.actor), ['cluster (following SIGHUP)', 'cluster (following SIGHUP)'])
  })

  await t.test('a reload through the API in one worker is followed by the other', async (t) => {
    const file = path.join(rulesDir, 'ruleset.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^version: .*$/m, 'version: "workers-test.1"'))
    const res = await fetch(`${base}/v1/rules/reload`, { method: 'POST', headers: { authorization: headers.authorization } })
    t.equal(res.status, 200)
    await until(async () => (await audit()).length === 4, 'the reload and the one that follows it')
    // the audit lists the newest first
    const last = (await audit()).slice(0, 2)
    t.same(last.map((e) => e.result), ['applied', 'applied'])
    t.same(last.map((e) => e.actor).sort(), ['cluster (following ops)', 'ops'].sort())
    // both workers now answer with the new set
    const versions = new Set<string>()
    for (let i = 0; i < 10; i++) versions.add(((await (await fetch(`${base}/v1/rules`, { headers })).json()) as { version: string }).version)
    t.same([...versions], ['workers-test.1'])
  })

  const challengerDir = path.join(dir, 'rules-next')
  cpSync(rulesDir, challengerDir, { recursive: true })
  const challengerFile = path.join(challengerDir, 'ruleset.yaml')
  writeFileSync(challengerFile, readFileSync(challengerFile, 'utf8').replace(/^version: .*$/m, 'version: "workers-challenger.1"'))
  /** what 10 requests answer for the staged challenger (the workers take turns) */
  const challengers = async (): Promise<string[]> => {
    const seen = new Set<string>()
    for (let i = 0; i < 10; i++) {
      const state = (await (await fetch(`${base}/v1/rules/challenger`, { headers })).json()) as { challenger: { rule_set: { version: string } } | null }
      seen.add(state.challenger?.rule_set.version ?? 'none')
    }
    return [...seen]
  }

  await t.test('a challenger staged through the API in one worker is staged in the other', async (t) => {
    const before = (await audit()).length
    const res = await fetch(`${base}/v1/rules/challenger`, { method: 'POST', headers, body: JSON.stringify({ rules_dir: challengerDir, mode: 'enforce', percent: 20 }) })
    t.equal(res.status, 200)
    await until(async () => (await audit()).length === before + 2, 'the stage and the one that follows it')
    const last = (await audit()).slice(0, 2) as Array<{ actor: string, result: string, action?: string }>
    t.same(last.map((e) => `${e.action ?? ''} ${e.result}`), ['stage applied', 'stage applied'])
    t.same(last.map((e) => e.actor).sort(), ['cluster (following ops)', 'ops'].sort())
    t.same(await challengers(), ['workers-challenger.1'])
  })

  await t.test('a worker that dies is replaced, and the service keeps answering', async (t) => {
    const [victim] = childrenOf(primary)
    process.kill(victim as number, 'SIGKILL')
    await until(async () => !childrenOf(primary).includes(victim as number) && await readyWorkers(2) && (output().match(/Server listening at/g) ?? []).length >= 3, 'a new worker')
    t.notOk(childrenOf(primary).includes(victim as number))
    t.same([...new Set(await Promise.all(Array.from({ length: 10 }, score)))], [200])
    t.same(await challengers(), ['workers-challenger.1'], 'the new worker runs the challenger the other runs')
  })

  await t.test('a promotion in one worker is followed by the other', async (t) => {
    const before = (await audit()).length
    const res = await fetch(`${base}/v1/rules/challenger/promote`, { method: 'POST', headers: { authorization: headers.authorization } })
    t.equal(res.status, 200)
    await until(async () => (await audit()).length === before + 2, 'the promotion and the one that follows it')
    t.same(await challengers(), ['none'])
    const versions = new Set<string>()
    for (let i = 0; i < 10; i++) versions.add(((await (await fetch(`${base}/v1/rules`, { headers })).json()) as { version: string }).version)
    t.same([...versions], ['workers-challenger.1'])
  })

  await t.test('SIGTERM to the primary: every worker drains and exits, then the primary', async (t) => {
    const last = childrenOf(primary)
    child.kill('SIGTERM')
    t.equal(await exited, 0)
    t.same(last.filter(alive), [], 'no worker left')
    t.notMatch(output(), /dropped/, 'nothing dropped at shutdown')
  })
})
