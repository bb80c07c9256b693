/**
 * `node --import tsx bench/decision-log.ts [--records N]`: what the decision log costs.
 *
 *  1. records: the bench corpus (bench/corpus.ts) scored through the service's own scorer and the
 *     default rule set on the bundled data; the recorder's snapshots are kept in process;
 *  2. size: JSON bytes of a record;
 *  3. Redis (a private redis-server): write all records in the recorder's batches (200), then
 *     used_memory per record (stream entry + by-id index + by-charge index) and the write rate,
 *     and what the two indexes alone take once the streams are trimmed;
 *  4. export: scan every record back with its outcome (8 partitions merged), records per second.
 */
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { Redis } from 'ioredis'
import { buildApp } from '../src/app.js'
import type { AppConfig } from '../src/config/app-config.js'
import type { DecisionRecord } from '../src/decision-log/record.js'
import { createRedisDecisionLog } from '../src/decision-log/redis-store.js'
import { closeRedis, createRedisClient, waitForRedis } from '../src/redis/client.js'
import { bundledDataPaths, projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from './corpus.js'
import { redisCommand, startRedis } from './processes.js'

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '20000' } } })
const count = Number(args.records)
const root = projectRoot()
const HASH_KEY = 'bench-hash-key-0123456789abcdef0123456789'

async function usedMemory (port: number): Promise<number> {
  const info = await redisCommand(port, 'INFO memory')
  const match = /used_memory:(\d+)/.exec(info)
  if (match === null) throw new Error('no used_memory in INFO')
  return Number(match[1])
}

async function main (): Promise<void> {
  const corpus = buildCorpus({ root, bodies: 5000 })
  const bundled = bundledDataPaths()
  const config: AppConfig = {
    env: 'production',
    host: '127.0.0.1',
    port: 0,
    redis: {},
    rulesDir: path.join(root, 'rules'),
    data: { countryDb: bundled.countryDb, asnDb: bundled.asnDb, hostingAsnFiles: [bundled.hostingAsns] },
    apiKeys: [],
    hashKey: HASH_KEY,
    omiseWebhookSecrets: [],
    logLevel: 'silent',
    deadlineMs: 50,
    decisionTtlSeconds: 3600,
    decisionLog: { maxPerPartition: count + 1 }
  }
  const app = await buildApp(config)
  for (let i = 0; i < count; i++) {
    const charge = { ...(corpus.charges[i % corpus.charges.length] as (typeof corpus.charges)[number]), charge_id: `bench_${i}` }
    await app.scorer.score(charge)
    // the recorder writes on later turns of the event loop: let it, as a server's I/O does
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve))
  }
  await app.decisionLog.recorder.flush()
  const records: DecisionRecord[] = []
  for await (const record of app.decisionLog.store.scan()) records.push(record)
  const recorder = app.decisionLog.recorder.stats()
  await app.close()
  if (recorder.dropped > 0 || recorder.failed > 0) throw new Error(`the recorder lost records: ${JSON.stringify(recorder)}`)
  const bytes = records.map((r) => Buffer.byteLength(JSON.stringify(r)))
  bytes.sort((a, b) => a - b)
  const mean = bytes.reduce((a, b) => a + b, 0) / bytes.length

  const redis = await startRedis()
  const client = createRedisClient({ url: redis.url }, { commandTimeoutMs: 10_000 }) as Redis
  try {
    if (!await waitForRedis(client, 5000)) throw new Error('redis not ready')
    const store = createRedisDecisionLog({ redis: client, hashKey: HASH_KEY, maxPerPartition: count })
    const before = await usedMemory(redis.port)
    let started = performance.now()
    for (let i = 0; i < records.length; i += 200) await store.append(records.slice(i, i + 200))
    const writeMs = performance.now() - started
    const after = await usedMemory(redis.port)

    started = performance.now()
    let scanned = 0
    for await (const record of store.scan()) if (record.v === 1) scanned++
    const scanMs = performance.now() - started

    // what stays once the records are trimmed from the streams: the by-id and by-charge indexes
    for (let p = 0; p < 8; p++) await client.xtrim(`rg:v1:dlog:{p${p}}:stream`, 'MAXLEN', 0)
    const indexesOnly = await usedMemory(redis.port)

    const result = {
      records: records.length,
      record_json_bytes: { mean: Math.round(mean), p50: bytes[Math.floor(bytes.length / 2)], p99: bytes[Math.floor(bytes.length * 0.99)] },
      redis_bytes_per_record: Math.round((after - before) / records.length),
      redis_index_bytes_per_record: Math.round((indexesOnly - before) / records.length),
      write_records_per_second: Math.round(records.length / (writeMs / 1000)),
      export_records_per_second: Math.round(scanned / (scanMs / 1000)),
      exported: scanned
    }
    process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  } finally {
    await closeRedis(client)
    await redis.stop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
