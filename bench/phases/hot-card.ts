/**
 * The hot-card phase: what a card charged thousands of times within its windows costs Redis.
 * On a flushed Redis, N charges (10,000 by default) that all carry one card (one fingerprint, BIN
 * and last4), each with the email, IP, amount and basket of a corpus charge in turn (so only the
 * card is hot); then, in blocks ordered hot, normal, normal, hot (a drift of the machine weighs on
 * both alike), M more charges of that card and M charges of the corpus as it is, each block followed
 * by the wait until riskgate has written everything. Redis CPU per charge of each kind, from /proc,
 * and from INFO commandstats (microseconds Redis counted in commands) as a second source.
 */
import { randomBytes } from 'node:crypto'
import type { Corpus } from '../corpus.js'
import { bodyOf } from '../corpus.js'
import { assertAllAnswered, runAmount } from '../load.js'
import type { BodyOf } from '../load.js'
import type { BenchOptions } from '../options.js'
import { cpuSeconds } from '../processes.js'
import type { BenchRedis, CommandStats } from '../processes.js'
import { waitUntilQuiet } from '../redis-inspect.js'
import type { RedisInspector } from '../redis-inspect.js'
import { exitNote, outboxDepth } from '../servers.js'
import type { Started } from '../servers.js'
import { fixed, grouped, log } from '../stats.js'

/** the one card of every hot charge */
const HOT_CARD = { bin: '424242', last4: '4242', country: 'TH', fingerprint: 'fp_bench_hot_card', brand: 'Visa', funding: 'credit' } as const

/** script calls: Redis counts their time, and again the time of each command they run */
const SCRIPT_COMMANDS = /^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro)$/

export interface HotCardKind {
  charges: number
  /** redis-server CPU per charge, from /proc */
  redisCpuUs: number
  /** riskgate's CPU per charge, from /proc */
  serverCpuUs: number
  /** INFO commandstats: microseconds of script calls per charge (the commands they run included) */
  scriptUsec: number
  /** INFO commandstats: microseconds of every command per charge (those run by scripts counted twice) */
  allCommandsUsec: number
  commandsPerCharge: number
}

export interface HotCardPhase {
  preloaded: number
  preloadSeconds: number
  hot: HotCardKind
  normal: HotCardKind
  /** hot / normal redis-server CPU per charge (/proc) */
  ratio: number
  /** the same from INFO commandstats (all commands' microseconds) */
  commandstatsRatio: number
}

export interface HotCardSetup {
  riskgate: Started
  redis: BenchRedis
  inspector: RedisInspector
  corpus: Corpus
  headers: Record<string, string>
  options: BenchOptions
}

export async function runHotCardPhase (setup: HotCardSetup): Promise<HotCardPhase> {
  const { riskgate, redis, inspector, corpus, headers, options } = setup
  const run = randomBytes(4).toString('hex')
  const depth = async (): ReturnType<typeof outboxDepth> => await outboxDepth(riskgate.port)
  // each corpus charge with the hot card instead of its own
  const hotRests = corpus.charges.map(({ charge_id: _id, ...charge }) => JSON.stringify({ ...charge, card: HOT_CARD }).slice(1))
  const hotBody = (offset: number): BodyOf => (n) => `{"charge_id":"hot${run}_${offset + n}",${hotRests[(offset + n) % hotRests.length] as string}`
  const normalBody = (offset: number): BodyOf => (n) => bodyOf(corpus, offset + n, `norm${run}_${offset + n}`)
  const half = Math.max(1, Math.floor(options.hotMeasured / 2))
  log(`hot card: ${grouped(options.hotCharges)} charges of one card (emails, IPs and baskets of the corpus in turn), then ${grouped(2 * half)} more of that card ` +
    `and ${grouped(2 * half)} corpus charges, in blocks of ${grouped(half)} (hot, normal, normal, hot), ${options.connections} connections`)

  await waitUntilQuiet(inspector, { depth })
  await redis.flush()
  let preloadSeconds = 0
  if (options.hotCharges > 0) {
    const preload = await runAmount({ port: riskgate.port, body: hotBody(0), amount: options.hotCharges, connections: options.connections, headers })
    assertAllAnswered('riskgate, hot card preload', preload, exitNote(riskgate))
    preloadSeconds = preload.seconds
  }
  await waitUntilQuiet(inspector, { depth })

  const totals = { hot: emptyKind(), normal: emptyKind() }
  const offsets = { hot: options.hotCharges, normal: 0 }
  for (const kind of ['hot', 'normal', 'normal', 'hot'] as const) {
    const stats0 = inspector.serverCommands(await inspector.commandStats())
    const [redis0, server0] = [await cpuSeconds(redis.pid), await cpuSeconds(riskgate.pid)]
    const body = kind === 'hot' ? hotBody(offsets[kind]) : normalBody(offsets[kind])
    const result = await runAmount({ port: riskgate.port, body, amount: half, connections: options.connections, headers })
    assertAllAnswered(`riskgate, hot card phase (${kind})`, result, exitNote(riskgate))
    await waitUntilQuiet(inspector, { depth, intervalMs: 50 })
    const [redis1, server1] = [await cpuSeconds(redis.pid), await cpuSeconds(riskgate.pid)]
    const stats1 = inspector.serverCommands(await inspector.commandStats())
    offsets[kind] += half
    const t = totals[kind]
    t.charges += half
    t.redisCpuUs += ((redis1 ?? Number.NaN) - (redis0 ?? Number.NaN)) * 1e6
    t.serverCpuUs += ((server1 ?? Number.NaN) - (server0 ?? Number.NaN)) * 1e6
    const delta = statsDelta(stats0, stats1)
    for (const [name, stat] of Object.entries(delta)) {
      if (SCRIPT_COMMANDS.test(name)) t.scriptUsec += stat.usec
      t.allCommandsUsec += stat.usec
      t.commandsPerCharge += stat.calls
    }
  }
  const perCharge = (t: HotCardKind): HotCardKind => ({
    charges: t.charges,
    redisCpuUs: t.redisCpuUs / t.charges,
    serverCpuUs: t.serverCpuUs / t.charges,
    scriptUsec: t.scriptUsec / t.charges,
    allCommandsUsec: t.allCommandsUsec / t.charges,
    commandsPerCharge: t.commandsPerCharge / t.charges
  })
  const hot = perCharge(totals.hot)
  const normal = perCharge(totals.normal)
  const phase: HotCardPhase = {
    preloaded: options.hotCharges,
    preloadSeconds,
    hot,
    normal,
    ratio: hot.redisCpuUs / normal.redisCpuUs,
    commandstatsRatio: hot.allCommandsUsec / normal.allCommandsUsec
  }
  log(`  preload: ${fixed(preloadSeconds, 1)} s`)
  log('  per charge                 redis CPU µs (/proc)  commandstats µs: scripts  all commands  commands  riskgate CPU µs')
  for (const [name, k] of [['hot card', hot], ['normal', normal]] as const) {
    log(`    ${name.padEnd(24)} ${fixed(k.redisCpuUs, 1).padStart(20)}  ${fixed(k.scriptUsec, 1).padStart(23)}  ${fixed(k.allCommandsUsec, 1).padStart(12)}  ${fixed(k.commandsPerCharge, 1).padStart(8)}  ${fixed(k.serverCpuUs, 0).padStart(15)}`)
  }
  log(`    ${'hot / normal'.padEnd(24)} ${fixed(phase.ratio).padStart(20)}  ${fixed(hot.scriptUsec / normal.scriptUsec).padStart(23)}  ${fixed(phase.commandstatsRatio).padStart(12)}  ${fixed(hot.commandsPerCharge / normal.commandsPerCharge).padStart(8)}  ${fixed(hot.serverCpuUs / normal.serverCpuUs).padStart(15)}`)
  return phase
}

function emptyKind (): HotCardKind {
  return { charges: 0, redisCpuUs: 0, serverCpuUs: 0, scriptUsec: 0, allCommandsUsec: 0, commandsPerCharge: 0 }
}

function statsDelta (before: CommandStats, after: CommandStats): CommandStats {
  const out: CommandStats = {}
  for (const [name, stat] of Object.entries(after)) {
    const was = before[name] ?? { calls: 0, usec: 0 }
    out[name] = { calls: stat.calls - was.calls, usec: stat.usec - was.usec }
  }
  return out
}
