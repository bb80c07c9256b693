import type { Position } from './cursor.js'
import type { DecisionRecord, OutcomeLabel } from './record.js'
import { IdentifierKind, inRange } from './store.js'
import type { IndexEntry, SearchQuery } from './store.js'

/** whether a record, by what its index entry says, holds every filter of a search */
export function indexMatches (query: SearchQuery, atMs: number, index: IndexEntry, label: OutcomeLabel | undefined): boolean {
  if (query.decision !== undefined && index.decision !== query.decision) return false
  if (query.rule !== undefined && !index.rules.includes(query.rule)) return false
  if (query.outcome !== undefined && (label ?? 'none') !== query.outcome) return false
  if (query.identifier !== undefined && index.identifiers[query.identifier.kind] !== query.identifier.digest) return false
  return query.range === undefined || inRange(atMs, query.range)
}

/** the same, of a decoded record (whose identifiers are the same keyed digests) */
export function recordMatches (query: SearchQuery, atMs: number, record: DecisionRecord): boolean {
  if (query.decision !== undefined && record.decision !== query.decision) return false
  if (query.rule !== undefined && !record.fired.includes(query.rule)) return false
  if (query.outcome !== undefined && (record.outcome?.label ?? 'none') !== query.outcome) return false
  if (query.identifier !== undefined && identifierOf(record, query.identifier.kind) !== query.identifier.digest) return false
  return query.range === undefined || inRange(atMs, query.range)
}

function identifierOf (record: DecisionRecord, kind: IdentifierKind): unknown {
  const features = record.features
  switch (kind) {
    case IdentifierKind.EMAIL: return features.email?.address
    case IdentifierKind.IP: return features.ip?.address
    case IdentifierKind.CARD: return features.card?.fingerprint
    case IdentifierKind.CUSTOMER: return features.customer?.id
  }
}

/**
 * Where a newest-first search starts: strictly before the cursor's position, and before `to`
 * (excluded). A field sorts after '', so (to, '') excludes every record at `to`.
 */
export function searchStart (query: SearchQuery, cursor: Position | undefined): Position | undefined {
  const to = query.range?.to?.getTime()
  if (to === undefined) return cursor
  if (cursor === undefined || cursor.ms >= to) return { ms: to, field: '' }
  return cursor
}
