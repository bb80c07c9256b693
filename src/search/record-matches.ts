import type { DecisionRecord } from '../decision-log/record.js'
import { IdentifierKind, inRange } from '../decision-log/store.js'
import type { SearchQuery } from '../decision-log/store.js'

/** the recorded digest of an identifier kind (recorded features hold identifiers as their keyed digests) */
function recordedDigest (record: DecisionRecord, kind: IdentifierKind): unknown {
  const f = record.features
  switch (kind) {
    case IdentifierKind.EMAIL: return f.email?.address
    case IdentifierKind.IP: return f.ip?.address
    case IdentifierKind.CARD: return f.card?.fingerprint
    case IdentifierKind.CUSTOMER: return f.customer?.id
  }
}

/** Whether a record meets every filter of a search (the search of one charge id, found by its id). */
export function recordMatches (record: DecisionRecord, query: Omit<SearchQuery, 'limit' | 'cursor'>): boolean {
  if (query.decision !== undefined && record.decision !== query.decision) return false
  if (query.rule !== undefined && !record.fired.includes(query.rule)) return false
  if (query.outcome !== undefined && (record.outcome?.label ?? 'none') !== query.outcome) return false
  if (query.range !== undefined && !inRange(Date.parse(record.at), query.range)) return false
  if (query.identifier !== undefined && recordedDigest(record, query.identifier.kind) !== query.identifier.digest) return false
  return true
}
