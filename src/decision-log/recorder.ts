import { ItemResult } from '../outbox/outbox.js'
import type { Outbox } from '../outbox/outbox.js'
import type { AppendEntry, AppendResult, DecisionLogStore } from './store.js'

export interface RecorderStats {
  /** records written to the log */
  written: number
  /** records found written already (a resent write) */
  duplicate: number
  /** degraded answers not recorded: another attempt of the charge is the recorded one */
  superseded: number
}

export interface DecisionRecorder {
  /** queues a decision's record in the outbox; false when the outbox is full (the drop is counted) */
  record: (entry: AppendEntry) => boolean
  /** the record of a charge that waits in the outbox (a retry in this process replays it) */
  pending: (field: string) => AppendEntry | undefined
  stats: () => RecorderStats
  /**
   * Calls `listener` with each entry the log took and what it did with it (written, or found
   * written already by a resent write), after the write: what follows a record (a merchant
   * webhook) follows a record that landed. A listener must not throw; what it throws is ignored.
   */
  onRecorded: (listener: RecordedListener) => void
}

/** told of each entry after the log's write, with the log's answer for it */
export type RecordedListener = (entry: AppendEntry, result: AppendResult) => void

export const DECISION_KIND = 'decision'

/**
 * Writes decision records through the outbox (src/outbox/outbox.ts): after the answer, in batches,
 * retried until the log takes them; the log's write is idempotent, so a resent batch records
 * nothing twice.
 */
export interface DecisionRecorderOptions {
  /**
   * How long a partial batch waits for more records (the outbox's lingerMs; default 0). The Redis
   * log's write is one script per partition whose cost is mostly per call (its index keys' TTLs,
   * the hourly counts): records written ten at a time cost Redis less than one at a time.
   */
  lingerMs?: number
  /** the most records a write takes (default 200; benchmarks compare batch sizes with it) */
  batchSize?: number
}

/**
 * the Redis log's linger: records land this much later at most, in batches several times larger
 * under load (20 ms before: in paired load runs, 50 ms took redis-server's CPU per charge 5-10%
 * lower and left the server's unchanged; docs/performance.md)
 */
export const REDIS_LOG_LINGER_MS = 50

export function createDecisionRecorder (outbox: Outbox, store: Pick<DecisionLogStore, 'append'>, options: DecisionRecorderOptions = {}): DecisionRecorder {
  const waiting = new Map<string, AppendEntry>()
  const stats: RecorderStats = { written: 0, duplicate: 0, superseded: 0 }
  const count: Record<AppendResult, keyof RecorderStats> = { written: 'written', duplicate: 'duplicate', superseded: 'superseded' }
  const listeners: RecordedListener[] = []

  outbox.define<AppendEntry>(DECISION_KIND, {
    batchSize: options.batchSize ?? 200,
    ...(options.lingerMs !== undefined ? { lingerMs: options.lingerMs } : {}),
    async write (entries) {
      const results = await store.append(entries)
      for (const result of results) stats[count[result]]++
      if (listeners.length > 0) {
        entries.forEach((entry, n) => {
          const result = results[n] as AppendResult
          for (const listener of listeners) {
            try {
              listener(entry, result)
            } catch {
              // a listener's fault must not make the outbox write the batch again
            }
          }
        })
      }
      return results.map(() => ItemResult.DONE)
    },
    settled (entry) {
      if (waiting.get(entry.key.field) === entry) waiting.delete(entry.key.field)
    }
  })

  return {
    record (entry) {
      if (!outbox.add(DECISION_KIND, entry)) return false
      waiting.set(entry.key.field, entry)
      return true
    },
    pending: (field) => waiting.get(field),
    stats: () => ({ ...stats }),
    onRecorded (listener) {
      listeners.push(listener)
    }
  }
}
