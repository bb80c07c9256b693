/**
 * The Redis memory phase: on a flushed Redis, N charges of the corpus (distinct charge ids) scored
 * through riskgate; once riskgate has written everything it writes after its answers, Redis's
 * used_memory grown, divided by N: the bytes a charge costs in Redis. Also the commands per charge
 * (INFO commandstats, those run inside scripts included) and what the keys hold by key pattern.
 */
import { randomBytes } from 'node:crypto'
import type { Corpus } from '../corpus.js'
import { assertAllAnswered, corpusBodies, runAmount } from '../load.js'
import type { BenchOptions } from '../options.js'
import { decisionCounters } from '../processes.js'
import type { BenchRedis } from '../processes.js'
import { waitUntilQuiet } from '../redis-inspect.js'
import type { KeyGroup, Quiet, RedisInspector } from '../redis-inspect.js'
import { exitNote, outboxDepth, writesLost } from '../servers.js'
import type { Started } from '../servers.js'
import { fixed, grouped, log } from '../stats.js'
import { commandsText } from './load.js'

export interface MemoryPhase {
  charges: number
  seconds: number
  usedMemoryBefore: number
  usedMemoryAfter: number
  bytesPerCharge: number
  /** used_memory_dataset (used_memory without Redis's own overhead), grown, per charge */
  datasetBytesPerCharge: number
  dbsize: number
  keysPerCharge: number
  /** how the bench knew riskgate had written everything, and how long it waited */
  quiet: Quiet
  commandsPerCharge: number
  commands: Record<string, { perRequest: number, usPerRequest: number }>
  degradedShare: Record<string, number>
  /** writes riskgate gave up during the phase (dropped, failed): missing from the figures */
  writesLost: number
  keyGroups: Array<KeyGroup & { bytesPerCharge: number }>
}

export interface MemorySetup {
  riskgate: Started
  redis: BenchRedis
  inspector: RedisInspector
  corpus: Corpus
  headers: Record<string, string>
  options: BenchOptions
}

export async function runMemoryPhase (setup: MemorySetup): Promise<MemoryPhase> {
  const { riskgate, redis, inspector, corpus, options } = setup
  const charges = options.memoryCharges
  const depth = async (): ReturnType<typeof outboxDepth> => await outboxDepth(riskgate.port)
  log(`Redis memory: ${grouped(charges)} charges of the corpus (distinct charge ids) through riskgate on a flushed Redis, ${options.connections} connections`)
  // what earlier phases left to write lands before the flush, not in this phase's figures
  await waitUntilQuiet(inspector, { depth })
  await redis.flush()
  await redis.resetStats()
  const info0 = await inspector.info('memory')
  const counters0 = await decisionCounters(riskgate.port)
  const lost0 = await writesLost(riskgate.port)
  const result = await runAmount({ port: riskgate.port, body: corpusBodies(corpus, `mem${randomBytes(4).toString('hex')}`), amount: charges, connections: options.connections, headers: setup.headers })
  assertAllAnswered('riskgate, Redis memory phase', result, exitNote(riskgate))
  const quiet = await waitUntilQuiet(inspector, { depth })
  const info1 = await inspector.info('memory')
  const counters1 = await decisionCounters(riskgate.port)
  const lost = await writesLost(riskgate.port) - lost0
  const dbsize = await inspector.dbsize()
  const commands: MemoryPhase['commands'] = {}
  let commandsPerCharge = 0
  for (const [name, stat] of Object.entries(inspector.serverCommands(await inspector.commandStats()))) {
    commands[name] = { perRequest: stat.calls / charges, usPerRequest: stat.usec / charges }
    commandsPerCharge += stat.calls / charges
  }
  const degradedShare: Record<string, number> = {}
  const answers = Math.max(1, counters1.decisions - counters0.decisions)
  // (a server without riskgate_decisions_total counts nothing: not checked)
  if (counters1.decisions > 0 && answers !== charges) throw new Error(`riskgate counted ${answers} decisions for ${charges} charges sent`)
  for (const signal of ['velocity', 'idempotency']) degradedShare[signal] = ((counters1.degraded[signal] ?? 0) - (counters0.degraded[signal] ?? 0)) / answers
  const groups = await inspector.breakdown(200)
  const phase: MemoryPhase = {
    charges,
    seconds: result.seconds,
    usedMemoryBefore: Number(info0.used_memory),
    usedMemoryAfter: Number(info1.used_memory),
    bytesPerCharge: (Number(info1.used_memory) - Number(info0.used_memory)) / charges,
    datasetBytesPerCharge: (Number(info1.used_memory_dataset) - Number(info0.used_memory_dataset)) / charges,
    dbsize,
    keysPerCharge: dbsize / charges,
    quiet,
    commandsPerCharge,
    commands,
    degradedShare,
    writesLost: lost,
    keyGroups: groups.map((g) => ({ ...g, bytesPerCharge: g.estimatedBytes / charges }))
  }
  printMemory(phase)
  return phase
}

function printMemory (p: MemoryPhase): void {
  log(`  scored in ${fixed(p.seconds, 1)} s (${fixed(p.charges / p.seconds, 0)} charges/s); written after the answers: ${p.quiet.how}, waited ${fixed(p.quiet.waitedMs, 0)} ms`)
  const degraded = Object.entries(p.degradedShare).filter(([, share]) => share > 0)
  if (degraded.length > 0) log(`  WARNING: answers decided without a signal (their writes are missing from the figures): ${degraded.map(([s, share]) => `${s} ${fixed(share * 100, 2)}%`).join(', ')}`)
  if (p.writesLost > 0) log(`  WARNING: riskgate gave up ${p.writesLost} writes (dropped or failed): missing from the figures`)
  log(`  used_memory ${grouped(p.usedMemoryBefore)} -> ${grouped(p.usedMemoryAfter)} bytes: ${fixed(p.bytesPerCharge, 0)} bytes per charge (dataset ${fixed(p.datasetBytesPerCharge, 0)}); DBSIZE ${grouped(p.dbsize)} (${fixed(p.keysPerCharge, 2)} keys per charge)`)
  log(`  Redis commands per charge: ${fixed(p.commandsPerCharge, 1)} (inside scripts included): ${commandsText(p.commands)}`)
  log('  keys by pattern (MEMORY USAGE of up to 200 keys each, scaled)    type     keys        bytes/charge  with TTL')
  const shown = p.keyGroups.slice(0, 15)
  const rest = p.keyGroups.slice(15)
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, g) => sum + g.bytesPerCharge, 0)
    shown.push({ pattern: `${rest.length} more patterns`, type: '', keys: rest.reduce((sum, g) => sum + g.keys, 0), sampled: 0, estimatedBytes: bytes * p.charges, sampledWithTtl: 0, bytesPerCharge: bytes })
  }
  for (const g of shown) {
    log(`    ${g.pattern.slice(0, 60).padEnd(60)} ${g.type.padEnd(7)} ${grouped(g.keys).padStart(10)}  ${fixed(g.bytesPerCharge, 1).padStart(12)}  ${g.sampled > 0 ? `${g.sampledWithTtl}/${g.sampled}` : ''}`)
  }
  const sum = p.keyGroups.reduce((s, g) => s + g.bytesPerCharge, 0)
  log(`    ${'keys, summed'.padEnd(60)} ${''.padEnd(7)} ${''.padStart(10)}  ${fixed(sum, 1).padStart(12)}  (the rest of used_memory: Redis's tables of keys and expiries, allocator)`)
}
