import type { RedisClient } from '../redis/client.js'
import type { DecisionLogKeys } from './redis-keys.js'

/**
 * How many partitions the decision log in Redis has. A decision's partition follows from its id
 * and the count (src/idempotency/decision-key.ts), so every process that reads or writes one log
 * must use the same count: with another, a retry would miss its charge's decision and be decided
 * again, and an outcome would miss its decision.
 *
 * The log keeps its count in Redis (`<prefix>partitions`, with the log's TTL and a day, renewed as
 * the record contexts are: hourly by each process that writes, so that the count never lapses
 * while a process writes, even with the shortest TTL the log allows, an hour). A process takes it from there; RISKGATE_DECISION_LOG_PARTITIONS set to
 * another count is refused (PartitionCountMismatchError) rather than followed. A log without the
 * key (a new one, or one written by a version before the key) gets its count from the setting, or,
 * unset, from the partitions' own keys: a log of earlier versions, which wrote 8 partitions unless
 * told otherwise, has keys in partitions 1 to 7; a new log gets the default: one partition with a
 * standalone Redis (or Sentinel), whose every key lives on one server, where partitions would
 * only spread an identifier's index entries and a batch's writes over more keys and more calls,
 * and 8 with a Cluster, over whose masters they spread the log (docs/decision-log.md).
 */

/** a new log's partitions with a standalone Redis or Sentinel */
export const DEFAULT_LOG_PARTITIONS = 1
/** a new log's partitions with a Redis Cluster */
export const DEFAULT_CLUSTER_LOG_PARTITIONS = 8
/** what versions before the stored count wrote when RISKGATE_DECISION_LOG_PARTITIONS was unset */
export const EARLIER_DEFAULT_LOG_PARTITIONS = 8
export const MAX_LOG_PARTITIONS = 256

/** what the stored count lives past the log's TTL: it is renewed about hourly, never lapses between */
export const PARTITIONS_TTL_SLACK_MS = 24 * 60 * 60_000

/** a new log's partitions: one on a standalone Redis or behind Sentinel, 8 over a Cluster */
export function defaultLogPartitions (cluster: boolean): number {
  return cluster ? DEFAULT_CLUSTER_LOG_PARTITIONS : DEFAULT_LOG_PARTITIONS
}

/** where a process's count came from */
export const PartitionCountSource = {
  /** the count the log keeps in Redis */
  STORED: 'stored',
  /** RISKGATE_DECISION_LOG_PARTITIONS, for a log without a stored count */
  CONFIGURED: 'configured',
  /** a log of an earlier version that kept no count: its keys in partitions 1 to 7 */
  EARLIER: 'earlier',
  /** a new log: the default */
  DEFAULT: 'default'
} as const
export type PartitionCountSource = typeof PartitionCountSource[keyof typeof PartitionCountSource]

export interface PartitionCount {
  partitions: number
  source: PartitionCountSource
}

export class PartitionCountMismatchError extends Error {
  readonly stored: number
  readonly configured: number
  constructor (stored: number, configured: number) {
    super(`the decision log in Redis has ${stored} partition(s), RISKGATE_DECISION_LOG_PARTITIONS is ${configured}: ` +
      `a process with another count would not find the decisions of the others. Unset it (the log's count is used), or set it to ${stored}`)
    this.name = 'PartitionCountMismatchError'
    this.stored = stored
    this.configured = configured
  }
}

export interface ResolvePartitionsOptions {
  keys: DecisionLogKeys
  /** RISKGATE_DECISION_LOG_PARTITIONS, when set */
  configured?: number | undefined
  /** a new log's count (defaultLogPartitions) */
  fallback: number
  /** the log's TTL (ms): the stored count's, and PARTITIONS_TTL_SLACK_MS, when this call stores it */
  ttlMs: number
  /** store the count when the log has none (a process that writes the log); a reader (the export) does not */
  store: boolean
}

function countOf (text: string | null): number | undefined {
  if (text === null || !/^[1-9][0-9]{0,2}$/.test(text)) return undefined
  const n = Number(text)
  return n <= MAX_LOG_PARTITIONS ? n : undefined
}

/** whether a log of an earlier version (no stored count) has keys in partitions 1 to 7 */
async function hasEarlierPartitions (redis: RedisClient, keys: DecisionLogKeys): Promise<boolean> {
  // one EXISTS a key: a Cluster keeps each partition in a slot of its own
  const found = await Promise.all(Array.from({ length: EARLIER_DEFAULT_LOG_PARTITIONS - 1 }, async (_, k) =>
    await redis.exists(keys.stream(k + 1)) + await redis.exists(keys.index(k + 1))))
  return found.some((n) => n > 0)
}

/** The log's partition count (see above). Rejects with PartitionCountMismatchError, or Redis's error. */
export async function resolveLogPartitions (redis: RedisClient, options: ResolvePartitionsOptions): Promise<PartitionCount> {
  const { keys, configured } = options
  // twice at most: a process that stores the count second reads the first one's
  for (let attempt = 0; ; attempt++) {
    const stored = countOf(await redis.get(keys.partitions))
    if (stored !== undefined) {
      if (configured !== undefined && configured !== stored) throw new PartitionCountMismatchError(stored, configured)
      return { partitions: stored, source: PartitionCountSource.STORED }
    }
    const found: PartitionCount = configured !== undefined
      ? { partitions: configured, source: PartitionCountSource.CONFIGURED }
      : await hasEarlierPartitions(redis, keys)
        ? { partitions: EARLIER_DEFAULT_LOG_PARTITIONS, source: PartitionCountSource.EARLIER }
        : { partitions: options.fallback, source: PartitionCountSource.DEFAULT }
    if (!options.store || attempt > 0) return found
    if (await redis.set(keys.partitions, String(found.partitions), 'PX', options.ttlMs + PARTITIONS_TTL_SLACK_MS, 'NX') === 'OK') return found
  }
}

/**
 * Renews the stored count's TTL (the log's and a day), or stores it when it has gone (the log idle
 * past its TTL): with
 * the record contexts, about hourly by each process that writes the log. A count stored by
 * another process is left as it is.
 */
export async function renewLogPartitions (redis: RedisClient, keys: DecisionLogKeys, partitions: number, ttlMs: number): Promise<void> {
  const px = ttlMs + PARTITIONS_TTL_SLACK_MS
  if (await redis.set(keys.partitions, String(partitions), 'PX', px, 'NX') !== 'OK') await redis.pexpire(keys.partitions, px)
}
