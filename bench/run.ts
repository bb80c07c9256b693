/**
 * `npm run bench`: riskgate measured against the physical floor (bench/baseline-server.ts) and
 * against its own targets (docs/performance.md describes each phase):
 *
 *  1. in process: µs per score() and per evaluate(), default rules and 200 rules;
 *  2. startup: riskgate and the baseline spawned (production config, Redis, bundled data), time
 *     until /readyz answers, RSS;
 *  3. load: alternating rounds of closed-loop load (50 connections): throughput, p50, p99, CPU per
 *     request of each server and of redis-server, Redis commands per request;
 *  4. steady: latency at a steady 300 requests per second (open loop, 20 connections);
 *  5. Redis memory: bytes and commands per charge once riskgate has written everything;
 *  6. hot card: Redis CPU per charge of a card charged 10,000 times against a normal charge;
 *  7. RSS: a riskgate without Redis after 1,000,000 distinct charges;
 *  8. search: p50 and p99 of searches and of the review queue over 1,000,000 recorded decisions;
 *  9. --profile: a CPU profile of riskgate under load, by category;
 * 10. --overload: riskgate past saturation (400 connections), load shedding off then on: the share
 *     of 503s and the p99 of the requests answered (a report, no target).
 *
 * Prints each phase's table, the targets with their measured values, the phases' durations;
 * writes bench/results/<time>.json; exits 1 when a target is missed, 2 when the bench fails.
 * `--help` lists the options (bench/options.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { bundledDataPaths, projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from './corpus.js'
import { runInProcess } from './in-process.js'
import { warmUpJit } from './jit-warmup.js'
import type { InProcessResult } from './in-process.js'
import { parseOptions } from './options.js'
import { runHotCardPhase } from './phases/hot-card.js'
import type { HotCardPhase } from './phases/hot-card.js'
import { runLoadPhase } from './phases/load.js'
import type { LoadPhase } from './phases/load.js'
import { runOverloadPhase } from './phases/overload.js'
import type { OverloadPhase } from './phases/overload.js'
import { runProfilePhase } from './phases/profile.js'
import type { ProfilePhase } from './phases/profile.js'
import { runMemoryPhase } from './phases/redis-memory.js'
import type { MemoryPhase } from './phases/redis-memory.js'
import { runRssPhase } from './phases/rss.js'
import type { RssPhase } from './phases/rss.js'
import { runSearchPhase } from './phases/search.js'
import type { SearchPhase } from './phases/search.js'
import { runSteadyPhase } from './phases/steady.js'
import type { SteadyPhase } from './phases/steady.js'
import { memoryStatus, startRedis } from './processes.js'
import { inspectRedis } from './redis-inspect.js'
import { exitNote, riskgateServers } from './servers.js'
import type { RiskgateSetup, Started } from './servers.js'
import { fixed, log } from './stats.js'
import { TARGETS, targetList } from './targets.js'

interface Startup { riskgateReadyMs: number, baselineReadyMs?: number, rssAfterStartMb: number, rssAfterPhasesMb?: number }

async function main (): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const started = Date.now()
  const root = projectRoot()
  const work = mkdtempSync(path.join(tmpdir(), 'riskgate-bench-'))
  process.on('exit', () => rmSync(work, { recursive: true, force: true }))
  const durations: Record<string, number> = {}
  const timed = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
    const at = performance.now()
    try {
      return await fn()
    } finally {
      durations[phase] = (performance.now() - at) / 1000
    }
  }
  const section = (title: string): void => { log(''); log(`== ${title}`) }

  log(`riskgate benchmark (load average ${loadavg().map((l) => fixed(l, 1)).join(' ')}, ${cpus().length} CPUs)`)
  const corpus = await timed('corpus', async () => buildCorpus({ root }))
  const torFile = path.join(work, 'tor-exits.txt')
  writeFileSync(torFile, `# benchmark: Tor-like addresses of the corpus\n${corpus.torExits.join('\n')}\n`)
  log(`corpus: ${JSON.stringify(corpus.stats)}`)

  let inProcess: Record<'default' | 'rules200', InProcessResult> | undefined
  if (!options.skip.inProcess) {
    section('in process')
    const bundled = bundledDataPaths()
    const data = { countryDb: bundled.countryDb, asnDb: bundled.asnDb, hostingAsnFiles: [bundled.hostingAsns], torExitsFile: torFile }
    inProcess = await timed('in process', async () => await runInProcess(root, corpus, data))
    log('µs per call, median of 9 batches                    rules  compiled  score()  evaluate()  evaluate() interpreted')
    for (const [name, r] of Object.entries(inProcess) as Array<[string, InProcessResult]>) {
      log(`  ${name.padEnd(50)} ${String(r.rules).padStart(5)}  ${String(r.compiled).padStart(8)}  ${fixed(r.scoreUs).padStart(7)}  ${fixed(r.evaluateUs).padStart(10)}  ${fixed(r.evaluateInterpretedUs).padStart(22)}`)
    }
  }

  const servers = riskgateServers()
  const withRedis = !options.noRedis
  const wants = {
    load: !options.skip.load,
    steady: !options.skip.steady,
    memory: !options.skip.memory && withRedis,
    hot: !options.skip.hot && withRedis
  }
  if (options.noRedis && (!options.skip.memory || !options.skip.hot)) log('(--no-redis: the Redis memory and hot-card phases measure Redis, and are skipped)')
  const needServers = wants.load || wants.steady || wants.memory || wants.hot || options.profile
  let startup: Startup | undefined
  let load: LoadPhase | undefined
  let steady: SteadyPhase | undefined
  let memory: MemoryPhase | undefined
  let hot: HotCardPhase | undefined
  let profile: ProfilePhase | undefined
  if (needServers) {
    const redis = await startRedis()
    const inspector = inspectRedis(redis.port)
    const setup: RiskgateSetup = { root, torFile, redisUrl: withRedis ? redis.url : undefined, extraEnv: options.env, nodeArgs: options.nodeArgs }
    try {
      if (wants.load || wants.steady || wants.memory || wants.hot) {
        section('servers')
        let riskgate: Started | undefined
        let baseline: Started | undefined
        try {
          riskgate = await timed('startup', async () => await servers.startRiskgate(setup))
          const rssAfterStartMb = (await memoryStatus(riskgate.pid)).rssMb
          if (wants.load || wants.steady) baseline = await servers.startBaseline(redis.url)
          startup = { riskgateReadyMs: riskgate.readyMs, ...(baseline !== undefined ? { baselineReadyMs: baseline.readyMs } : {}), rssAfterStartMb }
          log(`riskgate ready in ${fixed(riskgate.readyMs, 0)} ms (RSS ${fixed(rssAfterStartMb, 0)} MB)${baseline !== undefined ? `; baseline ready in ${fixed(baseline.readyMs, 0)} ms` : ''}`)
          if (options.noRedis || Object.keys(options.env).length > 0 || options.nodeArgs.length > 0) {
            log(`riskgate variant: ${options.noRedis ? 'no Redis (in-process stores) ' : ''}${[...options.nodeArgs, ...Object.entries(options.env).map(([k, v]) => `${k}=${v}`)].join(' ')}`)
          }
          if (wants.load || wants.steady) {
            await warmUpJit('riskgate', riskgate.port, corpus, servers.headers, options, exitNote(riskgate))
            if (baseline !== undefined) await warmUpJit('baseline', baseline.port, corpus, servers.headers, options, exitNote(baseline))
          }
          const common = { riskgate, redis, inspector, corpus, headers: servers.headers, options }
          if (wants.load && baseline !== undefined) {
            section('load')
            const b = baseline
            load = await timed('load', async () => await runLoadPhase({ ...common, baseline: b }))
          }
          if (wants.steady && baseline !== undefined) {
            section('steady rate')
            const b = baseline
            steady = await timed('steady', async () => await runSteadyPhase({ ...common, baseline: b }))
          }
          // the baseline is done: the phases below measure riskgate and Redis alone
          await baseline?.child.stop()
          baseline = undefined
          if (wants.memory) {
            section('Redis memory')
            memory = await timed('Redis memory', async () => await runMemoryPhase(common))
          }
          if (wants.hot) {
            section('hot card')
            hot = await timed('hot card', async () => await runHotCardPhase(common))
          }
          startup.rssAfterPhasesMb = (await memoryStatus(riskgate.pid)).rssMb
          log('')
          log(`riskgate RSS: ${fixed(startup.rssAfterStartMb, 0)} MB after start, ${fixed(startup.rssAfterPhasesMb, 0)} MB after the phases above`)
        } finally {
          await riskgate?.child.stop()
          await baseline?.child.stop()
        }
      }
      if (options.profile) {
        section('profile')
        profile = await timed('profile', async () => await runProfilePhase(servers, setup, redis, corpus, options))
      }
    } finally {
      await inspector.close()
      await redis.stop()
    }
  }

  let rss: RssPhase | undefined
  if (!options.skip.rss) {
    section('RSS without Redis')
    rss = await timed('RSS', async () => await runRssPhase(servers, { root, torFile, extraEnv: options.env, nodeArgs: options.nodeArgs }, corpus, options))
  }

  let search: SearchPhase | undefined
  if (!options.skip.search) {
    section('search')
    search = await timed('search', async () => await runSearchPhase(root, torFile, corpus, options))
  }

  let overload: OverloadPhase | undefined
  if (options.overload) {
    section('overload')
    overload = await timed('overload', async () => await runOverloadPhase(servers, { root, torFile, extraEnv: options.env, nodeArgs: options.nodeArgs }, corpus, options))
  }

  const targets = targetList()
  const check = (ran: boolean, phase: string, name: string, value: () => number, at: '<=' | '>=' | '<', limit: number, unit: string): void => {
    if (ran) targets.check(phase, name, value(), at, limit, unit)
    else targets.skipped(phase, name, at, limit, unit)
  }
  check(inProcess !== undefined, 'in process', '200-rule evaluate() per charge', () => inProcess?.rules200.evaluateUs ?? Number.NaN, '<=', TARGETS.evaluate200Us, 'µs')
  check(startup !== undefined, 'startup', 'riskgate ready after spawn', () => startup?.riskgateReadyMs ?? Number.NaN, '<', TARGETS.readyMs, 'ms')
  check(startup !== undefined, 'startup', 'riskgate RSS after start', () => startup?.rssAfterStartMb ?? Number.NaN, '<', TARGETS.rssMb, 'MB')
  check(startup?.rssAfterPhasesMb !== undefined, 'startup', 'riskgate RSS after load, steady, memory, hot card', () => startup?.rssAfterPhasesMb ?? Number.NaN, '<', TARGETS.rssMb, 'MB')
  const l = load?.summary
  check(l !== undefined, 'load', 'server CPU per request, riskgate / baseline', () => l?.serverCpuRatio.median ?? Number.NaN, '<=', TARGETS.serverCpuRatio, '×')
  check(l !== undefined, 'load', 'redis-server CPU per request, riskgate / baseline', () => l?.redisCpuRatio.median ?? Number.NaN, '<=', TARGETS.redisCpuRatio, '×')
  check(l !== undefined, 'load', 'throughput, riskgate / baseline', () => l?.throughputRatio.median ?? Number.NaN, '>=', TARGETS.throughputRatio, '×')
  check(l !== undefined, 'load', 'p99, riskgate / baseline', () => l?.p99Ratio.median ?? Number.NaN, '<=', TARGETS.p99Ratio, '×')
  check(steady !== undefined, 'steady', 'p50, riskgate - baseline', () => steady === undefined ? Number.NaN : steady.riskgate.p50Ms - steady.baseline.p50Ms, '<=', TARGETS.steadyP50AddedMs, 'ms')
  check(steady !== undefined, 'steady', 'p99, riskgate - baseline', () => steady === undefined ? Number.NaN : steady.riskgate.p99Ms - steady.baseline.p99Ms, '<=', TARGETS.steadyP99AddedMs, 'ms')
  check(steady !== undefined, 'steady', 'riskgate answers per second, lowest round', () => steady?.riskgate.achievedRate ?? Number.NaN, '>=', TARGETS.steadyRateShare * options.steadyRate, '/s')
  check(memory !== undefined, 'Redis memory', 'used_memory per charge', () => memory?.bytesPerCharge ?? Number.NaN, '<=', TARGETS.memoryBytesPerCharge, 'bytes')
  check(hot !== undefined, 'hot card', 'redis-server CPU per charge, hot card / normal', () => hot?.ratio ?? Number.NaN, '<=', TARGETS.hotCardCpuRatio, '×')
  const rssLabel = rss?.stoppedEarly === true ? `RSS after ${rss.charges} charges (stopped early) without Redis` : `RSS after ${options.rssCharges} charges without Redis`
  check(rss !== undefined, 'RSS', rssLabel, () => rss?.rssAtEndMb ?? Number.NaN, '<', TARGETS.rssMb, 'MB')
  check(rss !== undefined, 'RSS', 'peak RSS (VmHWM) during them', () => rss?.peakMb ?? Number.NaN, '<', TARGETS.rssMb, 'MB')

  section('summary')
  targets.print()
  const seconds = (Date.now() - started) / 1000
  log('')
  log(`phases: ${Object.entries(durations).map(([phase, s]) => `${phase} ${fixed(s, 0)} s`).join(', ')}; total ${fixed(seconds, 0)} s`)

  const resultsDir = path.join(root, 'bench', 'results')
  mkdirSync(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify({
    at: new Date(started).toISOString(),
    seconds,
    durations,
    node: process.version,
    cpus: cpus().length,
    loadAverageAtEnd: loadavg(),
    options,
    corpus: corpus.stats,
    inProcess,
    startup,
    load,
    steady,
    memory,
    hot,
    rss,
    search,
    overload,
    profile,
    targets: targets.list
  }, null, 2)}\n`)
  log(`written ${path.relative(process.cwd(), file)}`)
  if (targets.missed()) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(2)
})
