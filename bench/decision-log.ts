/**
 * `node --import tsx bench/decision-log.ts [--records N] [--batch N]`: what the decision log costs.
 *
 *  1. records: N charges of the bench corpus (bench/corpus.ts) scored through the service's own
 *     scorer (the app built from a production configuration, the default rule set, the bundled
 *     data) on a private redis-server; the outbox flushed by closing the app. This process's CPU
 *     and redis-server's CPU per charge (velocity, reservation and record together);
 *  2. Redis: used_memory grown per charge, and the log's keys (MEMORY USAGE of a sample of each
 *     key pattern, scaled) per record, beside velocity's;
 *  3. export: every record scanned back with its outcome (partitions merged) by a second app on the
 *     same Redis, records per second, and the JSON size of a record;
 *  4. the log alone: the exported records encoded again as the scorer encodes them and written
 *     through the service's recorder and outbox (batches of 200, or --batch, over the
 *     partitions of a new log on a standalone Redis: src/decision-log/partition-count.ts) under a key prefix of their own:
 *     CPU per record of encoding, of writing (this process) and of redis-server, the write rate,
 *     and the Redis bytes a record holds (used_memory grown, and the log's keys).
 *
 * `npm run bench` measures Redis bytes per charge through the real server (its Redis memory phase)
 * and the decision log's share of the server's CPU (its profile).
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import type { DecisionRecord } from '../src/decision-log/record.js'
import { createDecisionRecorder } from '../src/decision-log/recorder.js'
import { createRedisDecisionLog } from '../src/decision-log/redis-store.js'
import type { AppendEntry } from '../src/decision-log/store.js'
import { DEFAULT_LOG_PARTITIONS } from '../src/decision-log/partition-count.js'
import { createDecisionKeys } from '../src/idempotency/decision-key.js'
import { createOutbox } from '../src/outbox/outbox.js'
import { closeRedis, createRedisClient, waitForRedis } from '../src/redis/client.js'
import { projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from './corpus.js'
import { startRedis } from './processes.js'
import { entryMaker } from './record-entries.js'
import { inspectRedis } from './redis-inspect.js'
import { benchServiceApp } from './service-app.js'
import type { RedisInspector } from './redis-inspect.js'

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '20000' }, batch: { type: 'string', default: '200' } } })
const BATCH = Number(args.batch)
if (!Number.isSafeInteger(BATCH) || BATCH < 1) throw new Error('--batch must be a positive integer')
const count = Number(args.records)
const root = projectRoot()
/** the key prefix of step 4's log: apart from the service's (rg:v2:log:) */
const ALONE_PREFIX = 'bench:log:'

async function serviceApp (redisUrl: string, hashKey: string): Promise<FastifyInstance> {
  return await benchServiceApp({ RISKGATE_REDIS_URL: redisUrl, RISKGATE_HASH_KEY: hashKey, RISKGATE_DECISION_LOG_MAX: String(count + 1) })
}

/** this process's CPU (user and system) since `since`, in microseconds */
function cpuMicros (since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return used.user + used.system
}

/** redis-server's CPU (user and system, its own threads), in microseconds */
async function redisCpuMicros (inspector: RedisInspector): Promise<number> {
  const cpu = await inspector.info('cpu')
  return (Number(cpu.used_cpu_user) + Number(cpu.used_cpu_sys)) * 1e6
}

const round = (value: number, digits = 0): number => Number(value.toFixed(digits))

/** The records as the scorer hands them to the recorder (bench/record-entries.ts). */
function entriesOf (records: readonly DecisionRecord[], hashKey: string): { entries: AppendEntry[], encodeMicros: number } {
  const maker = entryMaker(records, createDecisionKeys(hashKey, DEFAULT_LOG_PARTITIONS))
  const started = process.cpuUsage()
  const entries = records.map((record, n) => maker.entryOf(record, n))
  return { entries, encodeMicros: cpuMicros(started) }
}

/** Step 4: the records written through the recorder and the outbox, as the service writes them. */
async function logAlone (redisUrl: string, inspector: RedisInspector, records: readonly DecisionRecord[], hashKey: string): Promise<Record<string, unknown>> {
  const { entries, encodeMicros } = entriesOf(records, hashKey)
  const client = createRedisClient({ url: redisUrl }, { commandTimeoutMs: 10_000 })
  if (!await waitForRedis(client, 5000)) throw new Error('the bench Redis is not reachable')
  try {
    const store = createRedisDecisionLog({
      redis: client,
      hashKey,
      keys: createDecisionKeys(hashKey, DEFAULT_LOG_PARTITIONS),
      keyPrefix: ALONE_PREFIX,
      maxPerPartition: entries.length + 1
    })
    const outbox = createOutbox({ log: { warn: () => {}, error: (obj, msg) => { process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`) } }, maxItems: entries.length + 1 })
    const recorder = createDecisionRecorder(outbox, store, { batchSize: BATCH })
    const memoryBefore = await inspector.usedMemory()
    const redisBefore = await redisCpuMicros(inspector)
    const cpu = process.cpuUsage()
    const started = performance.now()
    for (const entry of entries) recorder.record(entry)
    const { left } = await outbox.flush()
    const ms = performance.now() - started
    const writeMicros = cpuMicros(cpu)
    const redisMicros = await redisCpuMicros(inspector) - redisBefore
    const memoryAfter = await inspector.usedMemory()
    const stats = recorder.stats()
    if (left !== 0 || stats.written !== entries.length) throw new Error(`the log alone: ${stats.written} of ${entries.length} records written (${left} left)`)
    const groups = (await inspector.breakdown(200)).filter((g) => g.pattern.startsWith(ALONE_PREFIX))
    const n = entries.length
    return {
      records: n,
      batch: BATCH,
      encoded_bytes: { mean: round(entries.reduce((sum, e) => sum + Buffer.byteLength(e.encoded), 0) / Math.max(1, n)) },
      cpu_us_per_record: {
        encode: round(encodeMicros / n, 1),
        write: round(writeMicros / n, 1),
        redis_server: round(redisMicros / n, 1)
      },
      write_records_per_second: round(n / (ms / 1000)),
      redis_bytes_per_record: round((memoryAfter - memoryBefore) / n),
      keys: groups.map((g) => ({ pattern: g.pattern, type: g.type, keys: g.keys, bytes_per_record: round(g.estimatedBytes / n) }))
    }
  } finally {
    await closeRedis(client)
  }
}

async function main (): Promise<void> {
  const corpus = buildCorpus({ root, bodies: 5000 })
  const hashKey = randomBytes(32).toString('base64url')
  const redis = await startRedis()
  const inspector = inspectRedis(redis.port)
  try {
    const before = await inspector.usedMemory()
    const writer = await serviceApp(redis.url, hashKey)
    const redisCpuBefore = await redisCpuMicros(inspector)
    const cpu = process.cpuUsage()
    let started = performance.now()
    for (let i = 0; i < count; i++) {
      const charge = { ...(corpus.charges[i % corpus.charges.length] as (typeof corpus.charges)[number]), charge_id: `bench_${i}` }
      await writer.scorer.score(charge)
      // the outbox writes on later turns of the event loop: let it, as a server's I/O does
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve))
    }
    // closing flushes the outbox
    await writer.close()
    const scoreMs = performance.now() - started
    const scoreCpu = cpuMicros(cpu)
    const scoreRedisCpu = await redisCpuMicros(inspector) - redisCpuBefore
    const after = await inspector.usedMemory()
    const groups = await inspector.breakdown(200)
    const logBytes = groups.filter((g) => g.pattern.includes(':log:')).reduce((sum, g) => sum + g.estimatedBytes, 0)
    const velocityBytes = groups.filter((g) => g.pattern.includes(':vel:')).reduce((sum, g) => sum + g.estimatedBytes, 0)

    const reader = await serviceApp(redis.url, hashKey)
    const records: DecisionRecord[] = []
    started = performance.now()
    try {
      for await (const record of reader.decisionLog.store.scan()) records.push(record)
    } finally {
      await reader.close()
    }
    const scanMs = performance.now() - started
    const bytes = records.map((r) => Buffer.byteLength(JSON.stringify(r))).sort((a, b) => a - b)
    const mean = bytes.reduce((a, b) => a + b, 0) / Math.max(1, bytes.length)
    const alone = await logAlone(redis.url, inspector, records, hashKey)
    const result = {
      charges: count,
      exported: records.length,
      record_json_bytes: { mean: Math.round(mean), p50: bytes[Math.floor(bytes.length / 2)], p99: bytes[Math.floor(bytes.length * 0.99)] },
      redis_bytes_per_charge: Math.round((after - before) / count),
      log_key_bytes_per_record: Math.round(logBytes / Math.max(1, records.length)),
      velocity_key_bytes_per_charge: Math.round(velocityBytes / count),
      keys: groups.map((g) => ({ pattern: g.pattern, type: g.type, keys: g.keys, bytes_per_charge: Math.round(g.estimatedBytes / count) })),
      score_charges_per_second: Math.round(count / (scoreMs / 1000)),
      score_cpu_us_per_charge: { riskgate: round(scoreCpu / count, 1), redis_server: round(scoreRedisCpu / count, 1) },
      export_records_per_second: Math.round(records.length / (scanMs / 1000)),
      log_alone: alone
    }
    process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  } finally {
    await inspector.close()
    await redis.stop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
