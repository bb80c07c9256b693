import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { decodeRecord } from '../decision-log/codec.js'
import type { DigestOf } from '../decision-log/codec.js'
import { createMemoryDecisionLog } from '../decision-log/memory-store.js'
import type { MemoryDecisionLog } from '../decision-log/memory-store.js'
import type { DecisionRecord } from '../decision-log/record.js'
import { createDecisionRecorder, REDIS_LOG_LINGER_MS } from '../decision-log/recorder.js'
import type { DecisionRecorder } from '../decision-log/recorder.js'
import { createRedisDecisionLog } from '../decision-log/redis-store.js'
import type { RedisDecisionLog } from '../decision-log/redis-store.js'
import { createSnapshotHash } from '../decision-log/snapshot.js'
import type { AppendEntry } from '../decision-log/store.js'
import { DEFAULT_LOG_TTL_SECONDS } from '../decision-log/store.js'
import { defaultLogPartitions, PartitionCountMismatchError, resolveLogPartitions } from '../decision-log/partition-count.js'
import { decisionLogKeys } from '../decision-log/redis-keys.js'
import { RedisMode } from '../redis/connection.js'
import { DecisionLogFormat } from '../decision-log/format.js'
import { createDecisionKeys } from '../idempotency/decision-key.js'
import { countOutcomes } from '../outcomes/outcome-metrics.js'
import type { RedisClient } from '../redis/client.js'

export interface DecisionLogOptions {
  /** RISKGATE_HASH_KEY */
  hashKey: string
  maxPerPartition?: number
  /** RISKGATE_DECISION_LOG_PARTITIONS: the count of a log that has none stored (partition-count.ts) */
  partitions?: number
  ttlSeconds?: number
  /** what the log writes (RISKGATE_DECISION_LOG_FORMAT); the current format when absent */
  format?: DecisionLogFormat
  /** Redis key prefix (tests) */
  keyPrefix?: string
}

/**
 * The log's partition count (src/decision-log/partition-count.ts): the one the log in Redis keeps,
 * a setting that contradicts it refused (start-up fails). When Redis cannot be reached at start,
 * the setting or the default, said in the log; once Redis answers, a count found to differ is
 * logged as an error: the process then reads and writes other partitions than the log's, and must
 * be restarted.
 */
async function logPartitions (fastify: FastifyInstance, opts: DecisionLogOptions): Promise<number> {
  const redis = fastify.redis as RedisClient
  const fallback = defaultLogPartitions(fastify.redisMode === RedisMode.CLUSTER)
  const resolve = async (): Promise<number> => {
    const found = await resolveLogPartitions(redis, {
      keys: decisionLogKeys(opts.keyPrefix),
      configured: opts.partitions,
      fallback,
      ttlMs: (opts.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS) * 1000,
      store: true
    })
    fastify.log.info({ partitions: found.partitions, source: found.source }, 'decision log partitions')
    return found.partitions
  }
  if (redis.status === 'ready') {
    try {
      return await resolve()
    } catch (err) {
      // a contradicting setting stops the start; Redis failing to answer degrades it, as below
      if (err instanceof PartitionCountMismatchError) throw err
      fastify.log.warn({ err }, 'decision log partitions: Redis did not answer')
    }
  }
  const assumed = opts.partitions ?? fallback
  fastify.log.warn({ partitions: assumed }, 'decision log partitions not checked against the log in Redis (not reachable at start)')
  redis.once('ready', () => {
    resolve().then((partitions) => {
      if (partitions !== assumed) fastify.log.error({ partitions: assumed, log: partitions }, 'decision log partitions differ from the log\'s in Redis: restart this process')
    }, (err: unknown) => {
      fastify.log.error({ err }, 'decision log partitions not checked against the log in Redis')
    })
  })
  return assumed
}

/** The decision log as the app uses it. */
export interface DecisionLog {
  store: MemoryDecisionLog | RedisDecisionLog
  recorder: DecisionRecorder
  /** the keyed digest of recorded identifiers (HASHED_PATHS), cached: each identifier is hashed once */
  digestOf: DigestOf
  /** the record of an entry still waiting in the outbox */
  decode: (entry: AppendEntry) => DecisionRecord
  /** what the log writes: records (codec.ts encodeRecord), fingerprints, index entries */
  format: DecisionLogFormat
}

declare module 'fastify' {
  interface FastifyInstance {
    decisionLog: DecisionLog
  }
}

/**
 * The decision log (Redis, or in process without Redis), which is also the idempotency store,
 * and its recorder, which writes through the outbox (registered before this plugin).
 */
export const decisionLogPlugin = fp(async function decisionLog (fastify, opts: DecisionLogOptions) {
  const format = opts.format ?? DecisionLogFormat.CURRENT
  const keys = createDecisionKeys(opts.hashKey, fastify.redis === null ? 1 : await logPartitions(fastify, opts))
  const common = {
    keys,
    ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {})
  }
  const store = fastify.redis === null
    ? createMemoryDecisionLog({ ...common, ...(opts.maxPerPartition !== undefined ? { maxRecords: opts.maxPerPartition } : {}) })
    : createRedisDecisionLog({
      ...common,
      redis: fastify.redis,
      ...(fastify.redisWriter !== null ? { writer: fastify.redisWriter } : {}),
      hashKey: opts.hashKey,
      ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}),
      ...(opts.maxPerPartition !== undefined ? { maxPerPartition: opts.maxPerPartition } : {}),
      format
    })
  countOutcomes(store, fastify.metricsRegistry)
  const recorder = createDecisionRecorder(fastify.outbox, store, store.backend === 'redis' ? { lingerMs: REDIS_LOG_LINGER_MS } : {})
  fastify.decorate('decisionLog', {
    store,
    recorder,
    digestOf: createSnapshotHash(opts.hashKey),
    decode: (entry) => decodeRecord(entry.encoded, entry.key.decisionId, entry.context, entry.index.identifiers),
    format
  } satisfies DecisionLog)
  fastify.metricsRegistry.registerMetric(new Counter({
    name: 'riskgate_decision_records_total',
    help: 'Decision records by what the log did with them: written, duplicate (a resent write), superseded (a degraded answer of a charge another attempt recorded)',
    labelNames: ['result'] as const,
    registers: [],
    collect () {
      this.reset()
      const stats = recorder.stats()
      for (const result of ['written', 'duplicate', 'superseded'] as const) this.inc({ result }, stats[result])
    }
  }))
}, { name: 'decision-log', fastify: '5.x', dependencies: ['redis', 'outbox', 'metrics'] })
