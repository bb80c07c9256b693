/**
 * The overload phase (`--overload`, not in the default run): riskgate driven past saturation,
 * once with load shedding off (every RISKGATE_SHED_* limit at 0) and once with it on (the
 * defaults, or the limits given with --env), each server started afresh on a flushed Redis:
 *  - closed loop: 400 connections by default (8 times the load phase's), each sending its next
 *    request as soon as it has an answer;
 *  - open loop: requests sent at twice (--overload-factor) the rate the server without shedding
 *    answered in closed loop, whatever the answers, as a merchant's checkouts arrive.
 * Per run: answers per second, the share answered 503 (shed), the p50 and p99 of the requests that
 * were answered (2xx), the p99 of the 503s, timeouts and errors. A report, with no target.
 */
import { randomBytes } from 'node:crypto'
import autocannon from 'autocannon'
import type { Corpus } from '../corpus.js'
import { runOpenLoop } from '../open-loop.js'
import { corpusBodies, runLoad, scoreRequest } from '../load.js'
import type { BenchOptions } from '../options.js'
import { HOST, metricSum, metricsText, startRedis } from '../processes.js'
import { exitNote } from '../servers.js'
import type { RiskgateServers, RiskgateSetup } from '../servers.js'
import { fixed, grouped, log, percentile, sortedCopy } from '../stats.js'

/** every limit off: what riskgate does without load shedding */
const SHEDDING_OFF = {
  RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
  RISKGATE_SHED_MAX_HEAP_MB: '0',
  RISKGATE_SHED_MAX_EVENT_LOOP_UTILIZATION: '0'
} as const

export interface OverloadRun {
  shedding: boolean
  /** 2xx answers */
  answered: number
  /** 503 answers */
  shed: number
  /** other non-2xx answers */
  other: number
  /** connection errors and timeouts (10 s) */
  errors: number
  answeredPerSecond: number
  /** 503s among all answers */
  shedShare: number
  /** of the 2xx answers */
  p50Ms: number
  p99Ms: number
  /** of the 503 answers: how fast a refusal is */
  shedP99Ms: number
  /** riskgate's own count (riskgate_shed_requests_total) */
  shedCounted: number
}

export interface OverloadPhase {
  connections: number
  durationSeconds: number
  /** the RISKGATE_SHED_* settings of the run with shedding on (--env); unset ones take their defaults */
  settings: Record<string, string>
  /** answers per second of the closed-loop run without shedding: the open-loop rate is a multiple of it */
  capacity: number
  /** requests per second sent in the open-loop runs */
  openLoopRate: number
  closed: { off: OverloadRun, on: OverloadRun }
  open: { off: OverloadRun, on: OverloadRun }
}

async function overloadRun (port: number, corpus: Corpus, idPrefix: string, options: BenchOptions, headers: Record<string, string>): Promise<Omit<OverloadRun, 'shedding' | 'shedCounted'>> {
  const answered: number[] = []
  const shed: number[] = []
  let other = 0
  const instance = autocannon({
    url: `http://${HOST}:${port}`,
    connections: options.overloadConnections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [scoreRequest(corpusBodies(corpus, idPrefix), headers)]
  })
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) answered.push(responseTime)
    else if (statusCode === 503) shed.push(responseTime)
    else other++
  })
  const result = await instance
  return summarize(answered, shed, other, result.errors + result.timeouts, result.duration)
}

function summarize (answered: number[], shed: number[], other: number, errors: number, seconds: number): Omit<OverloadRun, 'shedding' | 'shedCounted'> {
  const ok = sortedCopy(answered)
  const responses = answered.length + shed.length + other
  return {
    answered: answered.length,
    shed: shed.length,
    other,
    errors,
    answeredPerSecond: answered.length / seconds,
    shedShare: responses === 0 ? Number.NaN : shed.length / responses,
    p50Ms: percentile(ok, 0.5),
    p99Ms: percentile(ok, 0.99),
    shedP99Ms: percentile(sortedCopy(shed), 0.99)
  }
}

function printRun (kind: string, run: OverloadRun): void {
  log(`  ${kind} shedding ${run.shedding ? 'on ' : 'off'}  ${grouped(run.answeredPerSecond).padStart(6)} answered/s  503: ${fixed(run.shedShare * 100, 1).padStart(5)}% ` +
    `(p99 ${fixed(run.shedP99Ms)} ms)  answered p50 ${fixed(run.p50Ms)} ms, p99 ${fixed(run.p99Ms)} ms  errors and timeouts ${run.errors}, other non-2xx ${run.other}`)
}

export async function runOverloadPhase (servers: RiskgateServers, setup: Omit<RiskgateSetup, 'redisUrl'>, corpus: Corpus, options: BenchOptions): Promise<OverloadPhase> {
  const settings = Object.fromEntries(Object.entries(options.env).filter(([name]) => name.startsWith('RISKGATE_SHED_')))
  log(`overload: load shedding off, then on (${Object.keys(settings).length === 0 ? 'default limits' : Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}), each server: ` +
    `${options.warmupSeconds} s of warm-up at ${options.connections} connections, ${options.durationSeconds} s closed loop at ${options.overloadConnections} connections, ` +
    `then ${options.durationSeconds} s open loop at ${options.overloadFactor} × what the server without shedding answered in closed loop (up to ${options.overloadConnections} connections)`)
  const redis = options.noRedis ? undefined : await startRedis()
  const runId = randomBytes(4).toString('hex')
  const closed: OverloadRun[] = []
  const open: OverloadRun[] = []
  let capacity = Number.NaN
  try {
    for (const shedding of [false, true]) {
      await redis?.flush()
      const riskgate = await servers.startRiskgate({ ...setup, redisUrl: redis?.url, shedding, extraEnv: { ...setup.extraEnv, ...(shedding ? {} : SHEDDING_OFF) } })
      try {
        const tag = `o${runId}${shedding ? 'n' : 'f'}`
        const shedCount = async (): Promise<number> => metricSum(await metricsText(riskgate.port), 'riskgate_shed_requests_total') ?? 0
        if (options.warmupSeconds > 0) await runLoad({ port: riskgate.port, body: corpusBodies(corpus, `w${tag}`), connections: options.connections, durationSeconds: options.warmupSeconds, headers: servers.headers })

        let before = await shedCount()
        const result = await overloadRun(riskgate.port, corpus, `c${tag}`, options, servers.headers)
        if (result.answered === 0) throw new Error(`overload, shedding ${shedding ? 'on' : 'off'}: no request answered${exitNote(riskgate)}`)
        const closedRun: OverloadRun = { shedding, ...result, shedCounted: (await shedCount()) - before }
        closed.push(closedRun)
        printRun('closed loop', closedRun)
        if (!shedding) capacity = closedRun.answeredPerSecond

        before = await shedCount()
        const rate = capacity * options.overloadFactor
        const o = await runOpenLoop({ port: riskgate.port, body: corpusBodies(corpus, `p${tag}`), rate, connections: options.overloadConnections, durationSeconds: options.durationSeconds, headers: servers.headers, timeoutMs: 10_000 })
        const openRun: OverloadRun = { shedding, ...summarize(o.answered, o.shed, o.other, o.errors, o.seconds), shedCounted: (await shedCount()) - before }
        open.push(openRun)
        printRun(`open loop ${grouped(rate)}/s`, openRun)
      } finally {
        await riskgate.child.stop()
      }
    }
  } finally {
    await redis?.stop()
  }
  const pair = (runs: OverloadRun[]): { off: OverloadRun, on: OverloadRun } => ({ off: runs[0] as OverloadRun, on: runs[1] as OverloadRun })
  return {
    connections: options.overloadConnections,
    durationSeconds: options.durationSeconds,
    settings,
    capacity,
    openLoopRate: capacity * options.overloadFactor,
    closed: pair(closed),
    open: pair(open)
  }
}
