/**
 * The steady phase: latency at a moderate, steady rate (300 requests per second by default, open
 * loop, 20 connections), alternating rounds against riskgate and the baseline, Redis flushed before
 * every run. The targets use the median of the rounds' p50 and p99; the percentiles of all the
 * rounds' answers pooled are shown beside them.
 */
import { randomBytes } from 'node:crypto'
import type { Corpus } from '../corpus.js'
import { assertAllAnswered, corpusBodies } from '../load.js'
import type { BenchOptions } from '../options.js'
import { runPaced } from '../paced-load.js'
import type { PacedResult } from '../paced-load.js'
import type { BenchRedis } from '../processes.js'
import { exitNote } from '../servers.js'
import type { Started } from '../servers.js'
import { fixed, log, median, percentile, sortedCopy } from '../stats.js'

export type SteadyRun = Omit<PacedResult, 'latencies'>

/** sends later than this (p99) say that the machine, not only the server, was busy in a round */
const LATE_SENDS_MS = 5

export interface SteadyServer {
  runs: SteadyRun[]
  /** the median of the rounds' p50 and p99 (one disturbed round of a shared machine does not decide) */
  p50Ms: number
  p99Ms: number
  /** of every answer of every round pooled */
  pooledP50Ms: number
  pooledP99Ms: number
  /** the lowest answer rate of a round */
  achievedRate: number
}

export interface SteadyPhase { rate: number, connections: number, baseline: SteadyServer, riskgate: SteadyServer }

export interface SteadySetup {
  riskgate: Started
  baseline: Started
  redis: BenchRedis
  corpus: Corpus
  headers: Record<string, string>
  options: BenchOptions
}

export async function runSteadyPhase (setup: SteadySetup): Promise<SteadyPhase> {
  const { redis, corpus, headers, options } = setup
  const rate = options.steadyRate
  const connections = options.steadyConnections
  log(`steady rate: ${options.rounds} alternating rounds of ${options.durationSeconds} s at ${rate} requests/s (open loop, after ${options.warmupSeconds} s of warm-up), up to ${connections} connections`)
  const runId = randomBytes(4).toString('hex')
  const pooled: Record<'baseline' | 'riskgate', { runs: SteadyRun[], latencies: number[] }> = {
    baseline: { runs: [], latencies: [] },
    riskgate: { runs: [], latencies: [] }
  }
  const measure = async (server: 'baseline' | 'riskgate', round: number): Promise<void> => {
    const target = server === 'baseline' ? setup.baseline : setup.riskgate
    await redis.flush()
    if (options.warmupSeconds > 0) {
      const warm = await runPaced({ port: target.port, body: corpusBodies(corpus, `sw${runId}${server[0] as string}${round}`), rate, connections, durationSeconds: options.warmupSeconds, headers })
      assertAllAnswered(`${server}, steady warm-up ${round}`, warm, exitNote(target))
    }
    const result = await runPaced({ port: target.port, body: corpusBodies(corpus, `sm${runId}${server[0] as string}${round}`), rate, connections, durationSeconds: options.durationSeconds, headers })
    assertAllAnswered(`${server}, steady round ${round}`, result, exitNote(target))
    const { latencies, ...run } = result
    pooled[server].runs.push(run)
    for (const v of latencies) pooled[server].latencies.push(v)
    log(`  round ${round} ${server.padEnd(8)} ${fixed(result.achievedRate, 1).padStart(6)} answers/s  p50 ${fixed(result.p50Ms)} ms  p90 ${fixed(result.p90Ms)} ms  p99 ${fixed(result.p99Ms)} ms  max ${fixed(result.maxMs, 1)} ms  ` +
      `(${result.connectionsUsed} connections; sent up to ${fixed(result.sendLagP99Ms)} ms late, p99)`)
  }
  for (let round = 1; round <= options.rounds; round++) {
    const first = round % 2 === 1 ? 'baseline' : 'riskgate'
    await measure(first, round)
    await measure(first === 'baseline' ? 'riskgate' : 'baseline', round)
  }
  const summary = (server: 'baseline' | 'riskgate'): SteadyServer => {
    const sorted = sortedCopy(pooled[server].latencies)
    const runs = pooled[server].runs
    return {
      runs,
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      pooledP50Ms: percentile(sorted, 0.5),
      pooledP99Ms: percentile(sorted, 0.99),
      achievedRate: Math.min(...pooled[server].runs.map((r) => r.achievedRate))
    }
  }
  const phase: SteadyPhase = { rate, connections, baseline: summary('baseline'), riskgate: summary('riskgate') }
  log('')
  log(`steady ${rate}/s         answers/s (lowest round)   p50 ms, median of rounds (pooled)   p99 ms, median of rounds (pooled)`)
  const row = (name: string, rateText: string, p50: string, p99: string): void => {
    log(`  ${name.padEnd(22)} ${rateText.padStart(10)}                 ${p50.padEnd(35)} ${p99}`)
  }
  for (const server of ['baseline', 'riskgate'] as const) {
    const s = phase[server]
    row(server, fixed(s.achievedRate, 1), `${fixed(s.p50Ms)} (${fixed(s.pooledP50Ms)})`, `${fixed(s.p99Ms)} (${fixed(s.pooledP99Ms)})`)
  }
  const b = phase.baseline
  const r = phase.riskgate
  row('riskgate - baseline', '', `${fixed(r.p50Ms - b.p50Ms)} (${fixed(r.pooledP50Ms - b.pooledP50Ms)})`, `${fixed(r.p99Ms - b.p99Ms)} (${fixed(r.pooledP99Ms - b.pooledP99Ms)})`)
  for (const server of ['baseline', 'riskgate'] as const) {
    phase[server].runs.forEach((run, i) => {
      if (run.sendLagP99Ms > LATE_SENDS_MS) {
        log(`  note: in ${server}'s round ${i + 1} the bench sent requests up to ${fixed(run.sendLagP99Ms, 1)} ms late (p99): the machine was busy, that round's latencies are the machine's as much as the server's`)
      }
    })
  }
  return phase
}
