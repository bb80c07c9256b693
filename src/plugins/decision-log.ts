import fp from 'fastify-plugin'
import { createDecisionLogStore } from '../decision-log/create-store.js'
import { createDecisionRecorder } from '../decision-log/recorder.js'
import type { DecisionRecorder } from '../decision-log/recorder.js'
import { createSnapshotHash } from '../decision-log/snapshot.js'
import type { SnapshotHash } from '../decision-log/snapshot.js'
import type { DecisionLogStore } from '../decision-log/store.js'

export interface DecisionLogOptions {
  /** RISKGATE_HASH_KEY */
  hashKey: string
  maxPerPartition?: number
  partitions?: number
  ttlSeconds?: number
  /** Redis key prefix (tests) */
  keyPrefix?: string
  maxQueue?: number
}

/** The decision log as the app uses it: the store, the background recorder, the snapshot hash. */
export interface DecisionLog {
  store: DecisionLogStore
  recorder: DecisionRecorder
  /** the keyed hash of recorded identifiers (HASHED_PATHS) */
  hash: SnapshotHash
}

declare module 'fastify' {
  interface FastifyInstance {
    decisionLog: DecisionLog
  }
}

export function createDecisionLog (redis: Parameters<typeof createDecisionLogStore>[0]['redis'], opts: DecisionLogOptions, log: { warn: (obj: object, msg: string) => void, error: (obj: object, msg: string) => void }): DecisionLog {
  const hash = createSnapshotHash(opts.hashKey)
  const store = createDecisionLogStore({
    redis,
    hashKey: opts.hashKey,
    ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {}),
    ...(opts.maxPerPartition !== undefined ? { maxPerPartition: opts.maxPerPartition } : {}),
    ...(opts.partitions !== undefined ? { partitions: opts.partitions } : {}),
    ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {})
  })
  const recorder = createDecisionRecorder({ store, hash, log, ...(opts.maxQueue !== undefined ? { maxQueue: opts.maxQueue } : {}) })
  return { store, recorder, hash }
}

/**
 * The decision log (Redis streams, or in process without Redis) and its background recorder.
 * On close, what is queued is written before the Redis client closes (this plugin is registered
 * after it, so its onClose runs first).
 */
export const decisionLogPlugin = fp(async function decisionLog (fastify, opts: DecisionLogOptions) {
  const decisionLog = createDecisionLog(fastify.redis, opts, fastify.log)
  fastify.decorate('decisionLog', decisionLog)
  fastify.addHook('onClose', async () => { await decisionLog.recorder.flush() })
}, { name: 'decision-log', fastify: '5.x', dependencies: ['redis'] })
