import type { Features } from '../engine/features.js'
import type { ScoreResponse } from '../schemas/decision.js'
import type { DecisionRecord } from './record.js'
import { toDecisionRecord } from './snapshot.js'
import type { SnapshotHash } from './snapshot.js'
import type { DecisionLogStore } from './store.js'

export interface RecorderLogger {
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface DecisionRecorderOptions {
  store: Pick<DecisionLogStore, 'append'>
  hash: SnapshotHash
  log: RecorderLogger
  /** decisions waiting to be written; beyond it new ones are dropped (and counted) */
  maxQueue?: number
  /** records written per store call */
  batchSize?: number
  now?: () => Date
}

export interface RecorderStats {
  /** records written to the store */
  recorded: number
  /** decisions not recorded because the queue was full */
  dropped: number
  /** records the store refused (Redis down...) or that could not be built */
  failed: number
  /** waiting now */
  queued: number
}

export interface DecisionRecorder {
  /** queues one decision; returns at once and never throws */
  record: (response: ScoreResponse, features: Features) => void
  /** resolves once everything queued before the call is written (or has failed) */
  flush: () => Promise<void>
  stats: () => RecorderStats
}

export const DEFAULT_RECORDER_QUEUE = 10_000
export const DEFAULT_RECORDER_BATCH = 200

interface Pending { response: ScoreResponse, features: Features, at: Date }

/**
 * Writes decisions to the log in the background: `record` only queues (the response is never
 * delayed); the snapshot (hashing, copying) and the store call happen on a later turn of the
 * event loop, in batches. The queue is bounded; store errors are logged once per outage and
 * counted, never thrown.
 */
export function createDecisionRecorder (options: DecisionRecorderOptions): DecisionRecorder {
  const { store, hash, log } = options
  const maxQueue = options.maxQueue ?? DEFAULT_RECORDER_QUEUE
  const batchSize = options.batchSize ?? DEFAULT_RECORDER_BATCH
  const now = options.now ?? (() => new Date())
  let queue: Pending[] = []
  let draining = false
  let failing = false
  let waiters: Array<() => void> = []
  const stats = { recorded: 0, dropped: 0, failed: 0 }

  async function drain (): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize)
      queue = queue.slice(batch.length)
      const records: DecisionRecord[] = []
      for (const item of batch) {
        try {
          records.push(toDecisionRecord(item.response, item.features, hash, item.at))
        } catch (err) {
          stats.failed++
          log.error({ err: describe(err) }, 'decision log: a record could not be built')
        }
      }
      try {
        await store.append(records)
        stats.recorded += records.length
        if (failing) log.warn({}, 'decision log: writing again')
        failing = false
      } catch (err) {
        stats.failed += records.length
        if (!failing) log.error({ err: describe(err), lost: records.length }, 'decision log: records could not be written (counted, not retried)')
        failing = true
      }
    }
  }

  function start (): void {
    if (draining) return
    draining = true
    setImmediate(() => {
      drain().catch(() => { /* drain catches everything it awaits */ }).finally(() => {
        draining = false
        if (queue.length > 0) start()
        else {
          const done = waiters
          waiters = []
          for (const resolve of done) resolve()
        }
      })
    })
  }

  return {
    record (response, features) {
      if (queue.length >= maxQueue) {
        if (stats.dropped++ % 1000 === 0) log.warn({ dropped: stats.dropped }, 'decision log: queue full, decisions dropped')
        return
      }
      queue.push({ response, features, at: now() })
      start()
    },
    async flush () {
      if (!draining && queue.length === 0) return
      await new Promise<void>((resolve) => { waiters.push(resolve) })
    },
    stats: () => ({ ...stats, queued: queue.length })
  }
}

function describe (err: unknown): { type: string, message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: typeof err, message: String(err) }
}
