/**
 * Decision records (as exported: identifiers are digests already) turned back into the log's
 * append entries, encoded as the scorer encodes them: one context per rule set and data versions.
 */
import { createRecordContext, encodeRecord } from '../src/decision-log/codec.js'
import type { RecordContext } from '../src/decision-log/codec.js'
import { indexEntry } from '../src/decision-log/index-entry.js'
import type { DecisionRecord } from '../src/decision-log/record.js'
import type { AppendEntry } from '../src/decision-log/store.js'
import type { DecisionKeys } from '../src/idempotency/decision-key.js'

/** the exported identifiers are digests: kept as they are */
const asIs = (value: string): string => value

export interface EntryMaker {
  /** the entry of `record`, as charge `chargeId` decided at `atMs` (the record's own by default) */
  entryOf: (record: DecisionRecord, n: number, chargeId?: string, atMs?: number) => AppendEntry
}

export function entryMaker (records: readonly DecisionRecord[], keys: DecisionKeys): EntryMaker {
  const contexts = new Map<string, RecordContext>()
  const contextId = (record: DecisionRecord): string => `${record.ruleset.hash}|${JSON.stringify(record.data)}`
  for (const record of records) {
    const id = contextId(record)
    if (contexts.has(id)) continue
    const same = records.filter((r) => r.ruleset.hash === record.ruleset.hash)
    const velocity = [...new Set(same.flatMap((r) => Object.keys(r.features.velocity ?? {})))].sort()
    const rules = [...new Set(same.flatMap((r) => [...r.fired, ...r.shadow.fired, ...r.skipped]))].sort()
    contexts.set(id, createRecordContext(record.ruleset, record.data, velocity, rules))
  }
  return {
    entryOf (record, n, chargeId = record.charge_id, atMs = Date.parse(record.at)) {
      const context = contexts.get(contextId(record)) as RecordContext
      const encoded = encodeRecord({
        chargeId,
        atMs,
        features: record.features,
        decision: record.decision,
        score: record.score,
        fired: record.fired,
        shadow: record.shadow,
        skipped: record.skipped,
        degraded: record.degraded
      }, context, asIs)
      const index = indexEntry(record.features, record.decision, record.fired, record.degraded.length > 0, asIs)
      return { key: keys.ofCharge(chargeId), fingerprint: `bench-${n}`, nonce: `bench-${n}`, atMs, encoded, context, index }
    }
  }
}
