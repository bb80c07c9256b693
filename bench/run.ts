/**
 * `npm run bench`: riskgate measured against the physical floor (DESIGN.md scale targets).
 *
 *  1. in process: microseconds per score() and per evaluate(), default rules and 200 rules;
 *  2. startup: spawn the server (production config, Redis, bundled data), time until /readyz answers;
 *  3. load: alternating rounds of autocannon (50 connections, 127.0.0.1) against riskgate's
 *     POST /v1/score and against bench/baseline-server.ts, each in its own process, both on one
 *     private redis-server flushed before every run, with a varied corpus (bench/corpus.ts);
 *  4. resident memory of the riskgate process after start and after the load.
 *
 * Prints a table, writes bench/results/<time>.json, exits 1 when a target is missed.
 * Options: --rounds N (3), --duration S (10), --warmup S (2), --connections N (50), --skip-load;
 * variants of the riskgate server: --no-redis (its in-process stores), --env RISKGATE_X=value.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { bundledDataPaths, projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from './corpus.js'
import { runInProcess } from './in-process.js'
import type { InProcessResult } from './in-process.js'
import { runLoad } from './load.js'
import type { LoadResult } from './load.js'
import { cpuSeconds, decisionCounters, freePort, rssMb, startChild, startRedis, waitUntilReady } from './processes.js'
import type { Child } from './processes.js'

const TARGETS = {
  throughputRatio: 0.8,
  p99Ratio: 1.25,
  evaluate200Us: 20,
  readyMs: 2000,
  rssMb: 300
} as const

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'skip-load': { type: 'boolean', default: false },
    // variants, to see what a part of the request path costs: riskgate without Redis (its
    // in-process stores), or with more RISKGATE_* settings (--env RISKGATE_LOG_LEVEL=warn)
    'no-redis': { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] }
  }
})
const extraEnv: Record<string, string> = {}
for (const pair of args.env) {
  const at = pair.indexOf('=')
  if (at < 1 || !pair.startsWith('RISKGATE_')) throw new Error(`--env takes RISKGATE_NAME=value, not ${pair}`)
  extraEnv[pair.slice(0, at)] = pair.slice(at + 1)
}
const rounds = Math.max(1, Number(args.rounds))
const durationSeconds = Math.max(1, Number(args.duration))
const warmupSeconds = Math.max(0, Number(args.warmup))
const connections = Math.max(1, Number(args.connections))

const here = path.dirname(fileURLToPath(import.meta.url))
const root = projectRoot()
/** compiled (dist/bench/run.js, what `npm run bench` runs) or through tsx (bench/run.ts) */
const compiled = import.meta.url.endsWith('.js')
const nodeArgs = compiled ? [] : ['--import', 'tsx']
// compiled: the bundle `npm start` runs (scripts/bundle-server.ts); through tsx: the sources
const serverEntry = compiled ? path.join(here, '..', 'riskgate-server.mjs') : path.join(here, '..', 'src', 'server.ts')
const baselineEntry = path.join(here, compiled ? 'baseline-server.js' : 'baseline-server.ts')

function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function fixed (n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n)
}

function log (line: string): void {
  process.stdout.write(`${line}\n`)
}

/** only what the child needs: nothing of this shell's RISKGATE_* leaks in */
function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key] !== undefined) env[key] = process.env[key]
  return { ...env, ...extra }
}

interface Started { child: Child, port: number, readyMs: number }

async function startServer (entry: string, args: (port: number) => string[], env: NodeJS.ProcessEnv, readyPath: string): Promise<Started> {
  const port = await freePort()
  const startedAt = performance.now()
  const child = startChild(process.execPath, [...nodeArgs, entry, ...args(port)], env)
  const readyMs = await waitUntilReady(child, port, readyPath, startedAt)
  return { child, port, readyMs }
}

async function main (): Promise<void> {
  const started = Date.now()
  const work = mkdtempSync(path.join(tmpdir(), 'riskgate-bench-'))
  process.on('exit', () => rmSync(work, { recursive: true, force: true }))

  log('riskgate benchmark')
  const corpus = buildCorpus({ root })
  const torFile = path.join(work, 'tor-exits.txt')
  writeFileSync(torFile, `# benchmark: Tor-like addresses of the corpus\n${corpus.torExits.join('\n')}\n`)
  log(`corpus: ${JSON.stringify(corpus.stats)}`)

  const bundled = bundledDataPaths()
  const data = { countryDb: bundled.countryDb, asnDb: bundled.asnDb, hostingAsnFiles: [bundled.hostingAsns], torExitsFile: torFile }
  const inProcess = await runInProcess(root, corpus, data)
  log('')
  log('in process (µs per call, median of 9 batches)        rules  compiled  score()  evaluate()  evaluate() interpreted')
  for (const [name, r] of Object.entries(inProcess) as Array<[string, InProcessResult]>) {
    log(`  ${name.padEnd(50)} ${String(r.rules).padStart(5)}  ${String(r.compiled).padStart(8)}  ${fixed(r.scoreUs).padStart(7)}  ${fixed(r.evaluateUs).padStart(10)}  ${fixed(r.evaluateInterpretedUs).padStart(22)}`)
  }

  let load: Awaited<ReturnType<typeof runRounds>> | undefined
  if (!args['skip-load']) load = await runRounds(corpus, torFile)

  const targets: Array<{ name: string, value: number, limit: number, at: '>=' | '<=', ok: boolean, unit: string }> = []
  const check = (name: string, value: number, limit: number, unit: string, higherIsBetter = false): void => {
    targets.push({ name, value, limit, unit, at: higherIsBetter ? '>=' : '<=', ok: Number.isFinite(value) && (higherIsBetter ? value >= limit : value <= limit) })
  }
  check('200-rule evaluate() per charge', inProcess.rules200.evaluateUs, TARGETS.evaluate200Us, 'µs')
  if (load !== undefined) {
    check('throughput riskgate/baseline (median of rounds)', load.summary.throughputRatio.median, TARGETS.throughputRatio, '×', true)
    check('p99 riskgate/baseline (median of rounds)', load.summary.p99Ratio.median, TARGETS.p99Ratio, '×')
    check('ready after spawn', load.readyMs, TARGETS.readyMs, 'ms')
    check('RSS after start', load.rssAfterStartMb, TARGETS.rssMb, 'MB')
    check('RSS after load', load.rssAfterLoadMb, TARGETS.rssMb, 'MB')
  }

  log('')
  log('targets')
  for (const t of targets) {
    log(`  ${t.ok ? 'ok  ' : 'MISS'} ${t.name.padEnd(48)} ${fixed(t.value).padStart(9)} ${t.unit.padEnd(2)} (target ${t.at} ${t.limit} ${t.unit})`)
  }

  const resultsDir = path.join(root, 'bench', 'results')
  mkdirSync(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({
    at: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    options: { rounds, durationSeconds, warmupSeconds, connections, noRedis: args['no-redis'], env: extraEnv },
    corpus: corpus.stats,
    inProcess,
    load,
    targets
  }, null, 2)}\n`)
  log('')
  log(`written ${path.relative(process.cwd(), file)} (${fixed((Date.now() - started) / 1000, 0)} s)`)
  if (targets.some((t) => !t.ok)) process.exitCode = 1
}

/** a load run, and the CPU time per request of the server and of redis-server during it */
interface Measured extends LoadResult {
  serverCpuUs: number
  redisCpuUs: number
  /** Redis commands per request (those run inside scripts included), and their time in Redis */
  redisCommands: Record<string, { perRequest: number, usPerRequest: number }>
  /**
   * riskgate only: the share of its answers decided without a signal (velocity, idempotency),
   * because Redis did not answer within RISKGATE_DEADLINE_MS: such an answer cost less than a full one
   */
  degradedShare?: Record<string, number>
}

interface Round { round: number, baseline: Measured, riskgate: Measured }

async function runRounds (corpus: ReturnType<typeof buildCorpus>, torFile: string): Promise<{
  readyMs: number
  baselineReadyMs: number
  rssAfterStartMb: number
  rssAfterLoadMb: number
  rounds: Round[]
  summary: Record<'throughputRatio' | 'p99Ratio' | 'p50Ratio' | 'riskgateRps' | 'baselineRps' | 'riskgateP99Ms' | 'baselineP99Ms' | 'riskgateP50Ms' | 'baselineP50Ms' |
  'riskgateServerCpuUs' | 'baselineServerCpuUs' | 'riskgateRedisCpuUs' | 'baselineRedisCpuUs', { median: number, min: number, max: number }>
}> {
  const redis = await startRedis()
  const secret = randomBytes(32).toString('base64url')
  const headers = { authorization: `Bearer ${secret}` }
  const riskgateEnv = childEnv({
    NODE_ENV: 'production',
    RISKGATE_HOST: '127.0.0.1',
    ...(args['no-redis'] ? {} : { RISKGATE_REDIS_URL: redis.url }),
    RISKGATE_RULES_DIR: path.join(root, 'rules'),
    RISKGATE_TOR_EXITS_FILE: torFile,
    RISKGATE_API_KEYS: `bench:score:${createHash('sha256').update(secret).digest('hex')}`,
    RISKGATE_HASH_KEY: randomBytes(32).toString('base64url'),
    // 50 connections on two shared cores queue for tens of milliseconds: with the default 50 ms
    // deadline many answers would be decided without velocity, which costs less than a full one.
    // The bench measures full answers (it reports the share that still degraded); --env overrides
    RISKGATE_DEADLINE_MS: '1000',
    ...extraEnv
  })
  const riskgate = await startServer(serverEntry, (port) => { riskgateEnv.RISKGATE_PORT = String(port); return [] }, riskgateEnv, '/readyz')
  const rssAfterStartMb = await rssMb(riskgate.child.process.pid as number)
  const baseline = await startServer(baselineEntry, (port) => [String(port), redis.url], childEnv({ NODE_ENV: 'production' }), '/readyz')
  log('')
  log(`riskgate ready in ${fixed(riskgate.readyMs, 0)} ms (RSS ${fixed(rssAfterStartMb, 0)} MB); baseline ready in ${fixed(baseline.readyMs, 0)} ms`)
  log(`load: ${rounds} alternating rounds of ${durationSeconds} s each (after ${warmupSeconds} s of warm-up), ${connections} connections`)
  if (args['no-redis'] || Object.keys(extraEnv).length > 0) {
    log(`riskgate variant: ${args['no-redis'] ? 'no Redis (in-process stores) ' : ''}${Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`).join(' ')}`)
  }

  const runId = randomBytes(4).toString('hex')
  const measure = async (server: 'baseline' | 'riskgate', round: number): Promise<Measured> => {
    const target = server === 'baseline' ? baseline : riskgate
    const port = target.port
    const pid = target.child.process.pid as number
    await redis.flush()
    if (warmupSeconds > 0) await runLoad({ port, corpus, idPrefix: `w${runId}${server[0] as string}${round}`, connections, durationSeconds: warmupSeconds, headers })
    await redis.resetStats()
    const counters0 = server === 'riskgate' ? await decisionCounters(port) : undefined
    const [server0, redis0] = [await cpuSeconds(pid), await cpuSeconds(redis.pid)]
    const result = await runLoad({ port, corpus, idPrefix: `m${runId}${server[0] as string}${round}`, connections, durationSeconds, headers })
    const [server1, redis1] = [await cpuSeconds(pid), await cpuSeconds(redis.pid)]
    let degradedShare: Record<string, number> | undefined
    if (counters0 !== undefined) {
      const counters1 = await decisionCounters(port)
      const answers = Math.max(1, counters1.decisions - counters0.decisions)
      degradedShare = {}
      for (const signal of ['velocity', 'idempotency']) {
        degradedShare[signal] = ((counters1.degraded[signal] ?? 0) - (counters0.degraded[signal] ?? 0)) / answers
      }
    }
    const redisCommands: Measured['redisCommands'] = {}
    for (const [name, stat] of Object.entries(await redis.commandStats())) {
      // the bench's own commands (CONFIG, INFO) are not the server's
      if (stat.calls >= result.requests / 10) redisCommands[name] = { perRequest: stat.calls / result.requests, usPerRequest: stat.usec / result.requests }
    }
    if (result.errors > 0 || result.non2xx > 0) {
      const child = target.child.process
      const state = child.exitCode !== null || child.signalCode !== null ? `; it exited (${child.exitCode ?? child.signalCode}): ${target.child.stderr()}` : ''
      throw new Error(`${server}: ${result.errors} errors, ${result.non2xx} non-2xx answers in round ${round}: the measurement is invalid${state}`)
    }
    const perRequest = (a: number | undefined, b: number | undefined): number => a === undefined || b === undefined ? Number.NaN : (b - a) * 1e6 / result.requests
    const measured: Measured = { ...result, serverCpuUs: perRequest(server0, server1), redisCpuUs: perRequest(redis0, redis1), redisCommands, ...(degradedShare !== undefined ? { degradedShare } : {}) }
    const degradedNote = degradedShare === undefined ? '' : `  degraded: ${Object.entries(degradedShare).map(([signal, share]) => `${signal} ${fixed(share * 100, 1)}%`).join(', ')}`
    log(`  round ${round} ${server.padEnd(8)} ${fixed(result.rps, 0).padStart(7)} req/s  p50 ${fixed(result.p50Ms)} ms  p99 ${fixed(result.p99Ms)} ms  ` +
      `CPU per request: server ${fixed(measured.serverCpuUs, 0)} µs, redis ${fixed(measured.redisCpuUs, 0)} µs${degradedNote}`)
    return measured
  }

  const results: Round[] = []
  let rssAfterLoadMb = Number.NaN
  try {
    for (let round = 1; round <= rounds; round++) {
      // alternate which server goes first, so neither always runs on a warmer machine
      const first = round % 2 === 1 ? 'baseline' : 'riskgate'
      const a = await measure(first, round)
      const b = await measure(first === 'baseline' ? 'riskgate' : 'baseline', round)
      results.push({ round, baseline: first === 'baseline' ? a : b, riskgate: first === 'baseline' ? b : a })
    }
  } finally {
    // measured before stopping anything
    rssAfterLoadMb = await rssMb(riskgate.child.process.pid as number)
    await riskgate.child.stop()
    await baseline.child.stop()
    await redis.stop()
  }

  const spread = (values: number[]): { median: number, min: number, max: number } => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) })
  const summary = {
    throughputRatio: spread(results.map((r) => r.riskgate.rps / r.baseline.rps)),
    p99Ratio: spread(results.map((r) => r.riskgate.p99Ms / r.baseline.p99Ms)),
    p50Ratio: spread(results.map((r) => r.riskgate.p50Ms / r.baseline.p50Ms)),
    riskgateRps: spread(results.map((r) => r.riskgate.rps)),
    baselineRps: spread(results.map((r) => r.baseline.rps)),
    riskgateP99Ms: spread(results.map((r) => r.riskgate.p99Ms)),
    baselineP99Ms: spread(results.map((r) => r.baseline.p99Ms)),
    riskgateP50Ms: spread(results.map((r) => r.riskgate.p50Ms)),
    baselineP50Ms: spread(results.map((r) => r.baseline.p50Ms)),
    riskgateServerCpuUs: spread(results.map((r) => r.riskgate.serverCpuUs)),
    baselineServerCpuUs: spread(results.map((r) => r.baseline.serverCpuUs)),
    riskgateRedisCpuUs: spread(results.map((r) => r.riskgate.redisCpuUs)),
    baselineRedisCpuUs: spread(results.map((r) => r.baseline.redisCpuUs))
  }
  log('')
  log('load (median of rounds, [min..max])       req/s                    p50 ms              p99 ms')
  const row = (name: string, rps: typeof summary.riskgateRps, p50: typeof summary.riskgateRps, p99: typeof summary.riskgateRps, rpsDigits = 0): void => {
    log(`  ${name.padEnd(38)} ${`${fixed(rps.median, rpsDigits)} [${fixed(rps.min, rpsDigits)}..${fixed(rps.max, rpsDigits)}]`.padEnd(24)} ${`${fixed(p50.median)} [${fixed(p50.min)}..${fixed(p50.max)}]`.padEnd(19)} ${fixed(p99.median)} [${fixed(p99.min)}..${fixed(p99.max)}]`)
  }
  row('baseline', summary.baselineRps, summary.baselineP50Ms, summary.baselineP99Ms)
  row('riskgate', summary.riskgateRps, summary.riskgateP50Ms, summary.riskgateP99Ms)
  row('riskgate / baseline', summary.throughputRatio, summary.p50Ratio, summary.p99Ratio, 2)
  log(`CPU per request (median): baseline ${fixed(summary.baselineServerCpuUs.median, 0)} µs + redis ${fixed(summary.baselineRedisCpuUs.median, 0)} µs; ` +
    `riskgate ${fixed(summary.riskgateServerCpuUs.median, 0)} µs + redis ${fixed(summary.riskgateRedisCpuUs.median, 0)} µs`)
  const commands = (m: Measured): string => Object.entries(m.redisCommands).sort((a, b) => b[1].perRequest - a[1].perRequest)
    .map(([name, c]) => `${name} ${fixed(c.perRequest, 1)}`).join(', ')
  const last = results[results.length - 1]
  if (last !== undefined) {
    log(`Redis commands per request (last round; inside scripts included): baseline ${commands(last.baseline)}`)
    log(`  riskgate ${commands(last.riskgate)}`)
  }
  log(`riskgate RSS: ${fixed(rssAfterStartMb, 0)} MB after start, ${fixed(rssAfterLoadMb, 0)} MB after the load`)
  return { readyMs: riskgate.readyMs, baselineReadyMs: baseline.readyMs, rssAfterStartMb, rssAfterLoadMb, rounds: results, summary }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(2)
})
