/**
 * `node --import tsx bench/decision-log.ts [--records N]`: what the decision log costs.
 *
 *  1. records: N charges of the bench corpus (bench/corpus.ts) scored through the service's own
 *     scorer (the app built from a production configuration, the default rule set, the bundled
 *     data) on a private redis-server; the outbox flushed by closing the app;
 *  2. Redis: used_memory grown per charge, and the log's keys (MEMORY USAGE of a sample of each
 *     key pattern, scaled) per record, beside velocity's;
 *  3. export: every record scanned back with its outcome (partitions merged) by a second app on the
 *     same Redis, records per second, and the JSON size of a record.
 *
 * `npm run bench` measures Redis bytes per charge through the real server (its Redis memory phase).
 */
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config/load-config.js'
import type { DecisionRecord } from '../src/decision-log/record.js'
import { projectRoot } from '../src/signals/ip/bundled-data.js'
import { buildCorpus } from './corpus.js'
import { startRedis } from './processes.js'
import { inspectRedis } from './redis-inspect.js'

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '20000' } } })
const count = Number(args.records)
const root = projectRoot()

async function serviceApp (redisUrl: string, hashKey: string): Promise<FastifyInstance> {
  const { config } = await loadConfig({
    NODE_ENV: 'production',
    RISKGATE_REDIS_URL: redisUrl,
    RISKGATE_RULES_DIR: path.join(root, 'rules'),
    RISKGATE_API_KEYS: `bench:score:${createHash('sha256').update(randomBytes(32)).digest('hex')}`,
    RISKGATE_HASH_KEY: hashKey,
    RISKGATE_DEADLINE_MS: '1000',
    RISKGATE_DECISION_LOG_MAX: String(count + 1),
    RISKGATE_LOG_LEVEL: 'silent'
  })
  const app = await buildApp(config, { logStream: { write: () => {} } })
  await app.ready()
  return app
}

async function main (): Promise<void> {
  const corpus = buildCorpus({ root, bodies: 5000 })
  const hashKey = randomBytes(32).toString('base64url')
  const redis = await startRedis()
  const inspector = inspectRedis(redis.port)
  try {
    const before = await inspector.usedMemory()
    const writer = await serviceApp(redis.url, hashKey)
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
    const result = {
      charges: count,
      exported: records.length,
      record_json_bytes: { mean: Math.round(mean), p50: bytes[Math.floor(bytes.length / 2)], p99: bytes[Math.floor(bytes.length * 0.99)] },
      redis_bytes_per_charge: Math.round((after - before) / count),
      log_key_bytes_per_record: Math.round(logBytes / Math.max(1, records.length)),
      velocity_key_bytes_per_charge: Math.round(velocityBytes / count),
      keys: groups.map((g) => ({ pattern: g.pattern, type: g.type, keys: g.keys, bytes_per_charge: Math.round(g.estimatedBytes / count) })),
      score_charges_per_second: Math.round(count / (scoreMs / 1000)),
      export_records_per_second: Math.round(records.length / (scanMs / 1000))
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
