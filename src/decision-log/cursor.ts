import { createHash } from 'node:crypto'
import { InvalidCursorError } from './invalid-cursor.js'
import type { ReviewQuery, SearchQuery } from './store.js'

/**
 * Where a listing stopped: the last candidate examined, by its sort time (decision time, or close
 * time for closed reviews) and its field: the decision's field, or in Redis's kind, rule and
 * identifier indexes the record's place in its partition's stream and the partition
 * (place-entries.ts).
 * Either is unique, so (ms, field) orders every listing totally, bytewise (as Redis orders equal
 * scores by member).
 */
export interface Position {
  ms: number
  field: string
}

/** (a) before (b) in ascending order: negative; equal: 0 */
export function comparePositions (a: Position, b: Position): number {
  if (a.ms !== b.ms) return a.ms - b.ms
  return a.field < b.field ? -1 : a.field > b.field ? 1 : 0
}

/**
 * What a cursor belongs to: the listing and every filter (not the page size), hashed short. A
 * cursor names its query's scope so that one given with other filters is refused, not misread.
 */
export function searchScope (query: SearchQuery): string {
  return scopeOf(['s', query.decision ?? '', query.rule ?? '', query.outcome ?? '',
    query.range?.from?.getTime() ?? '', query.range?.to?.getTime() ?? '',
    query.identifier?.kind ?? '', query.identifier?.digest ?? ''])
}

export function reviewScope (query: ReviewQuery): string {
  return scopeOf(['r', query.status])
}

function scopeOf (parts: ReadonlyArray<string | number>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 8)
}

const FIELD = /^(?:[A-Za-z0-9_-]{22}|[A-Za-z0-9_-]{10})$/
const MS = /^-?\d{1,16}$/

/** opaque to clients: base64url of `<ms>.<field>.<scope>` */
export function encodeCursor (position: Position, scope: string): string {
  return Buffer.from(`${position.ms}.${position.field}.${scope}`).toString('base64url')
}

/** the position a cursor of `scope` names; InvalidCursorError for anything else */
export function decodeCursor (cursor: string, scope: string): Position {
  const parts = Buffer.from(cursor, 'base64url').toString('latin1').split('.')
  const [ms, field, given] = parts
  if (parts.length !== 3 || ms === undefined || field === undefined || !MS.test(ms) || !FIELD.test(field)) {
    throw new InvalidCursorError('the cursor is not one this server gave')
  }
  if (given !== scope) throw new InvalidCursorError('the cursor belongs to another query')
  return { ms: Number(ms), field }
}

/** a page size given by the caller (the routes check 1..100 already) */
export function checkLimit (limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer')
}
