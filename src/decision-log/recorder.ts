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
}

export const DECISION_KIND = 'decision'

/**
 * Writes decision records through the outbox (src/outbox/outbox.ts): after the answer, in batches,
 * retried until the log takes them; the log's write is idempotent, so a resent batch records
 * nothing twice.
 */
export function createDecisionRecorder (outbox: Outbox, store: Pick<DecisionLogStore, 'append'>): DecisionRecorder {
  const waiting = new Map<string, AppendEntry>()
  const stats: RecorderStats = { written: 0, duplicate: 0, superseded: 0 }
  const count: Record<AppendResult, keyof RecorderStats> = { written: 'written', duplicate: 'duplicate', superseded: 'superseded' }

  outbox.define<AppendEntry>(DECISION_KIND, {
    batchSize: 200,
    async write (entries) {
      const results = await store.append(entries)
      for (const result of results) stats[count[result]]++
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
    stats: () => ({ ...stats })
  }
}
