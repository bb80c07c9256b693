/**
 * The RSS phase: a riskgate server without Redis (its in-process stores: velocity, stored
 * decisions, decision log) scores N distinct charges (1,000,000 by default) over HTTP, pipelined on
 * several connections; its resident memory is sampled every second (VmRSS, and VmHWM: the kernel's
 * peak) and read at the end.
 */
import { randomBytes } from 'node:crypto'
import type { Corpus } from '../corpus.js'
import { assertAllAnswered, corpusBodies, runAmount } from '../load.js'
import type { BenchOptions } from '../options.js'
import { cpuSeconds, decisionCounters, memoryStatus } from '../processes.js'
import { exitNote } from '../servers.js'
import type { RiskgateServers, RiskgateSetup } from '../servers.js'
import { fixed, grouped, log } from '../stats.js'

export interface RssPhase {
  /** charges scored: fewer than asked when the phase stopped early (RSS past --rss-stop-mb) */
  charges: number
  stoppedEarly: boolean
  seconds: number
  chargesPerSecond: number
  serverCpuUs: number
  /** the load generator's (this process's) CPU per charge */
  clientCpuUs: number
  rssAfterStartMb: number
  rssAtEndMb: number
  /** VmHWM at the end: the highest RSS the process had */
  peakMb: number
  /** the highest of the one-second samples of VmRSS */
  sampledPeakMb: number
  /** one sample every 10 s (in the results file): seconds since the start of the scoring, VmRSS in MB */
  samples: Array<[number, number]>
}

export async function runRssPhase (servers: RiskgateServers, setup: Omit<RiskgateSetup, 'redisUrl'>, corpus: Corpus, options: BenchOptions): Promise<RssPhase> {
  const charges = options.rssCharges
  log(`RSS: a riskgate server without Redis scores ${grouped(charges)} distinct charges, ${options.rssConnections} connections x ${options.rssPipelining} pipelined`)
  const riskgate = await servers.startRiskgate({ ...setup, redisUrl: undefined })
  try {
    const rssAfterStartMb = (await memoryStatus(riskgate.pid)).rssMb
    const samples: Array<[number, number]> = []
    let sampledPeakMb = rssAfterStartMb
    let overLimit = false
    const progress = { answered: 0 }
    const started = performance.now()
    let lastPrinted = started
    const sampler = setInterval(() => {
      memoryStatus(riskgate.pid).then(({ rssMb }) => {
        const now = performance.now()
        if (rssMb > sampledPeakMb) sampledPeakMb = rssMb
        if (rssMb > options.rssStopMb) overLimit = true
        if (samples.length === 0 || now - started >= (samples.length) * 10_000) samples.push([(now - started) / 1000, rssMb])
        if (now - lastPrinted >= 60_000) {
          lastPrinted = now
          log(`  ${fixed((now - started) / 1000, 0)} s: ${grouped(progress.answered)} charges, RSS ${fixed(rssMb, 0)} MB`)
        }
      }, () => {})
    }, 1000)
    const decisions0 = (await decisionCounters(riskgate.port)).decisions
    const cpu0 = await cpuSeconds(riskgate.pid)
    let result
    try {
      result = await runAmount({
        port: riskgate.port,
        body: corpusBodies(corpus, `rss${randomBytes(4).toString('hex')}`),
        amount: charges,
        connections: options.rssConnections,
        pipelining: options.rssPipelining,
        headers: servers.headers,
        stop: () => overLimit,
        progress
      })
    } finally {
      clearInterval(sampler)
    }
    const cpu1 = await cpuSeconds(riskgate.pid)
    assertAllAnswered('riskgate without Redis, RSS phase', result, exitNote(riskgate))
    const decisions1 = (await decisionCounters(riskgate.port)).decisions
    const decided = decisions1 - decisions0
    const scored = result.requests
    // (a server without riskgate_decisions_total counts nothing: not checked)
    if (decisions1 > 0 && decided !== scored) throw new Error(`riskgate counted ${decided} decisions for ${scored} charges answered`)
    const end = await memoryStatus(riskgate.pid)
    sampledPeakMb = Math.max(sampledPeakMb, end.rssMb)
    const phase: RssPhase = {
      charges: scored,
      stoppedEarly: scored < charges,
      seconds: result.seconds,
      chargesPerSecond: scored / result.seconds,
      serverCpuUs: ((cpu1 ?? Number.NaN) - (cpu0 ?? Number.NaN)) * 1e6 / scored,
      clientCpuUs: result.clientCpuUs,
      rssAfterStartMb,
      rssAtEndMb: end.rssMb,
      peakMb: end.peakMb,
      sampledPeakMb,
      samples
    }
    if (phase.stoppedEarly) log(`  STOPPED after ${grouped(scored)} charges: RSS passed ${options.rssStopMb} MB (--rss-stop-mb)`)
    log(`  scored in ${fixed(phase.seconds, 1)} s (${fixed(phase.chargesPerSecond, 0)} charges/s, CPU per charge: server ${fixed(phase.serverCpuUs, 0)} µs, load generator ${fixed(phase.clientCpuUs, 0)} µs)`)
    log(`  RSS: ${fixed(rssAfterStartMb, 0)} MB after start, ${fixed(phase.rssAtEndMb, 0)} MB at the end, peak ${fixed(phase.peakMb, 0)} MB (VmHWM; highest 1 s sample ${fixed(sampledPeakMb, 0)} MB)`)
    return phase
  } finally {
    await riskgate.child.stop()
  }
}
