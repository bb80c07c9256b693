/**
 * The load phase: alternating rounds of closed-loop load (autocannon, 50 connections by default)
 * against riskgate and against the baseline, Redis flushed before every run. Per run: requests per
 * second, p50 and p99, CPU per request of the server and of redis-server (from /proc), Redis
 * commands per request, and for riskgate the share of answers decided without a signal.
 */
import { randomBytes } from 'node:crypto'
import type { Corpus } from '../corpus.js'
import { assertAllAnswered, corpusBodies, runLoad } from '../load.js'
import type { LoadResult } from '../load.js'
import type { BenchOptions } from '../options.js'
import { cpuSeconds, decisionCounters } from '../processes.js'
import type { BenchRedis } from '../processes.js'
import type { RedisInspector } from '../redis-inspect.js'
import { exitNote } from '../servers.js'
import type { Started } from '../servers.js'
import { fixed, log, spread, spreadText } from '../stats.js'
import type { Spread } from '../stats.js'

/** a load run, and the CPU time per request of the server and of redis-server during it */
export interface Measured extends LoadResult {
  serverCpuUs: number
  redisCpuUs: number
  /** Redis commands per request (those run inside scripts included), and their time in Redis */
  redisCommands: Record<string, { perRequest: number, usPerRequest: number }>
  /**
   * riskgate only: the share of its answers decided without a signal (velocity, idempotency),
   * because Redis did not answer within RISKGATE_DEADLINE_MS: such an answer cost less than a full one
   */
  degradedShare?: Record<string, number>
  /**
   * riskgate only: V8's garbage collections on its main thread (its /metrics) per 1,000 requests:
   * scavenges, and their milliseconds with the other kinds'. Every byte a request allocates brings
   * the next scavenge closer (bench/allocation.ts counts the bytes)
   */
  gcPer1000?: { scavenges: number, ms: number }
}

export interface Round { round: number, baseline: Measured, riskgate: Measured }

export type LoadSummary = Record<'throughputRatio' | 'p99Ratio' | 'p50Ratio' | 'serverCpuRatio' | 'redisCpuRatio' |
'riskgateRps' | 'baselineRps' | 'riskgateP99Ms' | 'baselineP99Ms' | 'riskgateP50Ms' | 'baselineP50Ms' |
'riskgateServerCpuUs' | 'baselineServerCpuUs' | 'riskgateRedisCpuUs' | 'baselineRedisCpuUs', Spread>

export interface LoadPhase { rounds: Round[], summary: LoadSummary }

export interface LoadSetup {
  riskgate: Started
  baseline: Started
  redis: BenchRedis
  inspector: RedisInspector
  corpus: Corpus
  headers: Record<string, string>
  options: BenchOptions
}

export async function runLoadPhase (setup: LoadSetup): Promise<LoadPhase> {
  const { redis, corpus, headers, options } = setup
  const { warmupSeconds, durationSeconds, connections } = options
  log(`load: ${options.rounds} alternating rounds of ${durationSeconds} s each (after ${warmupSeconds} s of warm-up; before the first, ${options.jitWarmupRequests} requests of the JIT's warm-up), ${connections} connections`)
  const runId = randomBytes(4).toString('hex')

  const measure = async (server: 'baseline' | 'riskgate', round: number): Promise<Measured> => {
    const target = server === 'baseline' ? setup.baseline : setup.riskgate
    const { port, pid } = target
    await redis.flush()
    if (warmupSeconds > 0) await runLoad({ port, body: corpusBodies(corpus, `w${runId}${server[0] as string}${round}`), connections, durationSeconds: warmupSeconds, headers })
    await redis.resetStats()
    const counters0 = server === 'riskgate' ? await decisionCounters(port) : undefined
    const [server0, redis0] = [await cpuSeconds(pid), await cpuSeconds(redis.pid)]
    const result = await runLoad({ port, body: corpusBodies(corpus, `m${runId}${server[0] as string}${round}`), connections, durationSeconds, headers })
    const [server1, redis1] = [await cpuSeconds(pid), await cpuSeconds(redis.pid)]
    assertAllAnswered(`${server}, load round ${round}`, result, exitNote(target))
    let degradedShare: Record<string, number> | undefined
    let gcPer1000: Measured['gcPer1000']
    if (counters0 !== undefined) {
      const counters1 = await decisionCounters(port)
      const answers = Math.max(1, counters1.decisions - counters0.decisions)
      degradedShare = {}
      for (const signal of ['velocity', 'idempotency']) {
        degradedShare[signal] = ((counters1.degraded[signal] ?? 0) - (counters0.degraded[signal] ?? 0)) / answers
      }
      gcPer1000 = { scavenges: (counters1.scavenges - counters0.scavenges) * 1000 / answers, ms: (counters1.gcSeconds - counters0.gcSeconds) * 1e6 / answers }
    }
    const redisCommands: Measured['redisCommands'] = {}
    for (const [name, stat] of Object.entries(setup.inspector.serverCommands(await setup.inspector.commandStats()))) {
      redisCommands[name] = { perRequest: stat.calls / result.requests, usPerRequest: stat.usec / result.requests }
    }
    const perRequest = (a: number | undefined, b: number | undefined): number => a === undefined || b === undefined ? Number.NaN : (b - a) * 1e6 / result.requests
    const measured: Measured = { ...result, serverCpuUs: perRequest(server0, server1), redisCpuUs: perRequest(redis0, redis1), redisCommands, ...(degradedShare !== undefined ? { degradedShare } : {}), ...(gcPer1000 !== undefined ? { gcPer1000 } : {}) }
    const degradedNote = (degradedShare === undefined ? '' : `  degraded: ${Object.entries(degradedShare).map(([signal, share]) => `${signal} ${fixed(share * 100, 1)}%`).join(', ')}`) +
      (gcPer1000 === undefined ? '' : `  GC per 1,000 requests: ${fixed(gcPer1000.scavenges)} scavenges, ${fixed(gcPer1000.ms, 1)} ms`)
    log(`  round ${round} ${server.padEnd(8)} ${fixed(result.rps, 0).padStart(7)} req/s  p50 ${fixed(result.p50Ms)} ms  p99 ${fixed(result.p99Ms)} ms  ` +
      `CPU per request: server ${fixed(measured.serverCpuUs, 0)} µs, redis ${fixed(measured.redisCpuUs, 0)} µs${degradedNote}`)
    return measured
  }

  const rounds: Round[] = []
  for (let round = 1; round <= options.rounds; round++) {
    // alternate which server goes first, so neither always runs on a warmer machine
    const first = round % 2 === 1 ? 'baseline' : 'riskgate'
    const a = await measure(first, round)
    const b = await measure(first === 'baseline' ? 'riskgate' : 'baseline', round)
    rounds.push({ round, baseline: first === 'baseline' ? a : b, riskgate: first === 'baseline' ? b : a })
  }

  const of = (pick: (r: Round) => number): Spread => spread(rounds.map(pick))
  const summary: LoadSummary = {
    throughputRatio: of((r) => r.riskgate.rps / r.baseline.rps),
    p99Ratio: of((r) => r.riskgate.p99Ms / r.baseline.p99Ms),
    p50Ratio: of((r) => r.riskgate.p50Ms / r.baseline.p50Ms),
    serverCpuRatio: of((r) => r.riskgate.serverCpuUs / r.baseline.serverCpuUs),
    redisCpuRatio: of((r) => r.riskgate.redisCpuUs / r.baseline.redisCpuUs),
    riskgateRps: of((r) => r.riskgate.rps),
    baselineRps: of((r) => r.baseline.rps),
    riskgateP99Ms: of((r) => r.riskgate.p99Ms),
    baselineP99Ms: of((r) => r.baseline.p99Ms),
    riskgateP50Ms: of((r) => r.riskgate.p50Ms),
    baselineP50Ms: of((r) => r.baseline.p50Ms),
    riskgateServerCpuUs: of((r) => r.riskgate.serverCpuUs),
    baselineServerCpuUs: of((r) => r.baseline.serverCpuUs),
    riskgateRedisCpuUs: of((r) => r.riskgate.redisCpuUs),
    baselineRedisCpuUs: of((r) => r.baseline.redisCpuUs)
  }
  printLoad(rounds, summary)
  return { rounds, summary }
}

function printLoad (rounds: Round[], summary: LoadSummary): void {
  const s = summary
  log('')
  log(`load, ${rounds.length} round(s): median [min..max]  req/s                    p50 ms                  p99 ms                  CPU µs/request server     redis-server`)
  const row = (name: string, cells: Spread[], digits: number[]): void => {
    log(`  ${name.padEnd(36)} ${cells.map((c, i) => spreadText(c, digits[i]).padEnd(24)).join(' ')}`)
  }
  row('baseline', [s.baselineRps, s.baselineP50Ms, s.baselineP99Ms, s.baselineServerCpuUs, s.baselineRedisCpuUs], [0, 2, 2, 0, 0])
  row('riskgate', [s.riskgateRps, s.riskgateP50Ms, s.riskgateP99Ms, s.riskgateServerCpuUs, s.riskgateRedisCpuUs], [0, 2, 2, 0, 0])
  row('riskgate / baseline', [s.throughputRatio, s.p50Ratio, s.p99Ratio, s.serverCpuRatio, s.redisCpuRatio], [2, 2, 2, 2, 2])
  const commands = (m: Measured): string => commandsText(m.redisCommands)
  const last = rounds[rounds.length - 1]
  if (last !== undefined) {
    log(`Redis commands per request (last round; inside scripts included): baseline ${commands(last.baseline)}`)
    log(`  riskgate ${commands(last.riskgate)}`)
  }
}

/** `evalsha 1.0, set 1.0, xadd 0.005...`: the commands of at least one in a thousand requests */
export function commandsText (commands: Record<string, { perRequest: number }>): string {
  return Object.entries(commands).filter(([, c]) => c.perRequest >= 0.001).sort((a, b) => b[1].perRequest - a[1].perRequest)
    .map(([name, c]) => `${name} ${fixed(c.perRequest, c.perRequest < 0.1 ? 3 : 1)}`).join(', ')
}
