/**
 * The profile phase (--profile): one more load run (the load phase's connections, warm-up and
 * duration) against a riskgate server started with `node --cpu-prof`, then one against the
 * baseline started the same way, and the self time of each one's samples during the measured
 * seconds split by category (bench/cpu-profile.ts), in µs of CPU per request, beside the server's
 * CPU per request from /proc in the same run; then the two side by side.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Corpus } from '../corpus.js'
import { breakdown, bundleModuleCount, CATEGORIES, sourceMap } from '../cpu-profile.js'
import type { Category, CpuProfile, FunctionTime } from '../cpu-profile.js'
import { warmUpJit } from '../jit-warmup.js'
import { assertAllAnswered, corpusBodies, runLoad } from '../load.js'
import type { BenchOptions } from '../options.js'
import { cpuByThread, cpuSeconds, threadCpuSeconds } from '../processes.js'
import type { BenchRedis } from '../processes.js'
import { exitNote, SERVER_ENTRY } from '../servers.js'
import type { RiskgateServers, RiskgateSetup, Started } from '../servers.js'
import { fixed, log } from '../stats.js'

/** microseconds between two samples of the profiler */
const SAMPLING_INTERVAL_US = 250

/** One server's profile under the load */
export interface ServerProfile {
  requests: number
  rps: number
  /** server CPU per request from /proc during the profiled run, all threads (the profiler's own cost included) */
  serverCpuUs: number
  /** of which the main thread's (JavaScript, GC on the main thread, I/O calls) */
  mainThreadCpuUs: number
  /**
   * per request: time of the samples (they are taken by wall clock: a thread waiting for a core
   * is sampled too), "(program)" (native code outside JavaScript, or waiting) and "(idle)" apart
   */
  sampledUs: number
  programUs: number
  idleUs: number
  samples: number
  samplingIntervalUs: number
  /** CPU per request of the process's threads, by thread name (the main thread: `main`) */
  threadsCpuUs: Record<string, number>
  /** µs of main-thread CPU per request: each category's share of the samples times mainThreadCpuUs */
  byCategory: Record<Category, number>
  top: FunctionTime[]
}

/** riskgate's profile, and the baseline's under the same load (both use Redis; without Redis, riskgate's only) */
export interface ProfilePhase {
  riskgate: ServerProfile
  baseline?: ServerProfile
}

function monotonicUs (): number {
  return Number(process.hrtime.bigint() / 1000n)
}

export async function runProfilePhase (servers: RiskgateServers, setup: RiskgateSetup, redis: BenchRedis, corpus: Corpus, options: BenchOptions): Promise<ProfilePhase> {
  const riskgate = await profileServer('riskgate', async (args) => await servers.startRiskgate(setup, args), servers, setup, redis, corpus, options)
  if (setup.redisUrl === undefined) return { riskgate }
  const baseline = await profileServer('baseline', async (args) => await servers.startBaseline(redis.url, args), servers, setup, redis, corpus, options)
  printComparison(riskgate, baseline)
  return { riskgate, baseline }
}

type StartProfiled = (extraNodeArgs: string[]) => Promise<Started>

async function profileServer (name: string, start: StartProfiled, servers: RiskgateServers, setup: RiskgateSetup, redis: BenchRedis, corpus: Corpus, options: BenchOptions): Promise<ServerProfile> {
  const keep = options.profileDir !== undefined
  const dir = keep ? path.resolve(options.profileDir as string) : mkdtempSync(path.join(tmpdir(), 'riskgate-bench-profile-'))
  if (keep) mkdirSync(dir, { recursive: true })
  const before = new Set(keep ? readdirSync(dir) : [])
  try {
    log(`profile: ${name} under node --cpu-prof (a sample every ${SAMPLING_INTERVAL_US} µs), ${options.durationSeconds} s of load after ${options.warmupSeconds} s of warm-up (and the JIT's warm-up), ${options.connections} connections`)
    const server = await start(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(SAMPLING_INTERVAL_US)])
    let result
    let fromUs = 0
    let toUs = 0
    let cpu0: number | undefined
    let cpu1: number | undefined
    let main0: number | undefined
    let main1: number | undefined
    let threads0: Record<string, number> = {}
    let threads1: Record<string, number> = {}
    try {
      if (setup.redisUrl !== undefined || name === 'baseline') await redis.flush()
      const { port, pid } = server
      await warmUpJit(name, port, corpus, servers.headers, options, exitNote(server))
      if (options.warmupSeconds > 0) await runLoad({ port, body: corpusBodies(corpus, `pw${process.pid}`), connections: options.connections, durationSeconds: options.warmupSeconds, headers: servers.headers })
      cpu0 = await cpuSeconds(pid)
      main0 = await threadCpuSeconds(pid)
      threads0 = await cpuByThread(pid)
      fromUs = monotonicUs()
      result = await runLoad({ port, body: corpusBodies(corpus, `pm${process.pid}`), connections: options.connections, durationSeconds: options.durationSeconds, headers: servers.headers })
      toUs = monotonicUs()
      main1 = await threadCpuSeconds(pid)
      threads1 = await cpuByThread(pid)
      cpu1 = await cpuSeconds(pid)
      assertAllAnswered(`${name}, profiled run`, result, exitNote(server))
    } finally {
      // the profile is written when the process exits
      await server.child.stop(60_000)
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
    if (keep) log(`  profile written: ${files.map((f) => path.join(dir, f)).join(', ')}`)
    const profiles = files.map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile)
    if (profiles.length === 0) throw new Error(`the profiled ${name} wrote no profile: ${server.child.stderr()}`)
    if (name === 'riskgate' && SERVER_ENTRY.endsWith('.mjs') && bundleModuleCount(SERVER_ENTRY) === 0) {
      log(`  WARNING: ${path.relative(setup.root, SERVER_ENTRY)} marks no modules (minified?): its functions cannot be told apart by module and fall under "other"`)
    }
    const found = breakdown(profiles, sourceMap(setup.root), fromUs, toUs)
    if (found.samples === 0) {
      throw new Error(`no sample of the profile falls within the measured run (profile ${profiles.map((p) => `${p.startTime}..${p.endTime}`).join(', ')} µs, run ${fromUs}..${toUs} µs)`)
    }
    const n = result.requests
    const mainThreadCpuUs = ((main1 ?? Number.NaN) - (main0 ?? Number.NaN)) * 1e6 / n
    // sampled time to CPU time: the samples' shares of the main thread's CPU (sampled time itself
    // where there is no schedstat)
    const scale = Number.isFinite(mainThreadCpuUs) ? mainThreadCpuUs / found.sampledUs : 1 / n
    const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, found.byCategory[c] * scale])) as Record<Category, number>
    const phase: ServerProfile = {
      requests: n,
      rps: result.rps,
      serverCpuUs: ((cpu1 ?? Number.NaN) - (cpu0 ?? Number.NaN)) * 1e6 / n,
      mainThreadCpuUs,
      threadsCpuUs: Object.fromEntries(Object.entries(threads1).map(([name, seconds]) => [name, (seconds - (threads0[name] ?? 0)) * 1e6 / n])),
      sampledUs: found.sampledUs / n,
      programUs: found.programUs / n,
      idleUs: found.idleUs / n,
      samples: found.samples,
      samplingIntervalUs: SAMPLING_INTERVAL_US,
      byCategory,
      top: found.top.map((f) => ({ ...f, us: f.us * scale }))
    }
    printProfile(phase)
    return phase
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
}

function printProfile (p: ServerProfile): void {
  log(`  ${fixed(p.rps, 0)} req/s under the profiler; server CPU per request (/proc): ${fixed(p.serverCpuUs, 0)} µs, of which the main thread ${fixed(p.mainThreadCpuUs, 0)} µs`)
  log(`  samples: ${p.samples}, ${fixed(p.sampledUs, 1)} µs per request of wall time sampled on the main thread, (program) ${fixed(p.programUs, 1)} µs and (idle) ${fixed(p.idleUs, 1)} µs left out; ` +
    'each category\'s share of the samples is shown as that share of the main thread\'s CPU')
  log('  self time by category (nearest categorized frame)   µs CPU/request   share')
  const total = Object.values(p.byCategory).reduce((sum, us) => sum + us, 0)
  const rows = (Object.entries(p.byCategory) as Array<[Category, number]>).filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1])
  for (const [category, us] of rows) {
    log(`    ${category.padEnd(50)} ${fixed(us, 1).padStart(13)}   ${fixed(us / total * 100, 1).padStart(5)}%`)
  }
  const others = Object.entries(p.threadsCpuUs).filter(([name, us]) => name !== 'main' && us >= 0.05).sort((a, b) => b[1] - a[1])
  log(`    ${'other threads'.padEnd(50)} ${fixed(p.serverCpuUs - p.mainThreadCpuUs, 1).padStart(13)}   ${others.map(([name, us]) => `${name} ${fixed(us, 1)}`).join(', ')}`)
  log(`  top ${p.top.length} functions by self time                              µs CPU/request   category`)
  for (const f of p.top) {
    // lines are of the bundle for the server's own modules: only node's are shown
    const where = f.source.startsWith('node:') ? `${f.source}:${f.line}` : f.source
    log(`    ${`${f.name}  ${where}`.slice(0, 70).padEnd(70)} ${fixed(f.us, 2).padStart(11)}   ${f.category}`)
  }
}

/** riskgate's categories beside the baseline's: where the difference per request lies */
function printComparison (riskgate: ServerProfile, baseline: ServerProfile): void {
  log('profile: riskgate beside the baseline, µs of main-thread CPU per request   riskgate   baseline   difference')
  const rows = CATEGORIES.map((c) => [c, riskgate.byCategory[c], baseline.byCategory[c]] as const)
    .filter(([, r, b]) => r > 0 || b > 0).sort((x, y) => (y[1] - y[2]) - (x[1] - x[2]))
  for (const [category, r, b] of rows) {
    log(`    ${category.padEnd(66)} ${fixed(r, 1).padStart(8)} ${fixed(b, 1).padStart(10)} ${fixed(r - b, 1).padStart(12)}`)
  }
  const others = (p: ServerProfile): number => p.serverCpuUs - p.mainThreadCpuUs
  log(`    ${'other threads'.padEnd(66)} ${fixed(others(riskgate), 1).padStart(8)} ${fixed(others(baseline), 1).padStart(10)} ${fixed(others(riskgate) - others(baseline), 1).padStart(12)}`)
  log(`    ${'all threads, /proc'.padEnd(66)} ${fixed(riskgate.serverCpuUs, 1).padStart(8)} ${fixed(baseline.serverCpuUs, 1).padStart(10)} ${fixed(riskgate.serverCpuUs - baseline.serverCpuUs, 1).padStart(12)}`)
}
