import type { Position } from './cursor.js'
import { comparePositions } from './cursor.js'
import { TimeIndex } from './time-index.js'

/**
 * The records of one identifier digest in process. Most identifiers are seen once or a few times,
 * so a posting is the field itself, then a short array, and only a busy identifier gets a sorted
 * TimeIndex: an identifier costs a map entry, not the arrays of an index.
 */
export type Posting = string | string[] | TimeIndex

/** an identifier with more records than this gets a sorted index */
const SMALL = 16

export function addPosting (postings: Map<string, Posting>, key: string, field: string, timeOf: (field: string) => number): void {
  const held = postings.get(key)
  if (held === undefined) postings.set(key, field)
  else if (typeof held === 'string') postings.set(key, [held, field])
  else if (Array.isArray(held)) {
    if (held.length < SMALL) held.push(field)
    else {
      const index = new TimeIndex()
      for (const f of held) index.add(timeOf(f), f)
      index.add(timeOf(field), field)
      postings.set(key, index)
    }
  } else held.add(timeOf(field), field)
}

export function removePosting (postings: Map<string, Posting>, key: string, field: string, ms: number): void {
  const held = postings.get(key)
  if (held === undefined) return
  if (typeof held === 'string') {
    if (held === field) postings.delete(key)
  } else if (Array.isArray(held)) {
    const at = held.indexOf(field)
    if (at >= 0) held.splice(at, 1)
    if (held.length === 1) postings.set(key, held[0] as string)
  } else {
    held.remove(ms, field)
    if (held.size === 0) postings.delete(key)
  }
}

export function postingSize (postings: Map<string, Posting>, key: string): number {
  const held = postings.get(key)
  if (held === undefined) return 0
  if (typeof held === 'string') return 1
  return Array.isArray(held) ? held.length : held.size
}

/** newest first, strictly before `before` when given */
export function * postingsDescending (postings: Map<string, Posting>, key: string, before: Position | undefined, timeOf: (field: string) => number): Generator<Position> {
  const held = postings.get(key)
  if (held === undefined) return
  if (held instanceof TimeIndex) {
    yield * held.descending(before)
    return
  }
  const positions = (typeof held === 'string' ? [held] : held).map((field) => ({ ms: timeOf(field), field }))
  positions.sort((a, b) => comparePositions(b, a))
  for (const position of positions) {
    if (before === undefined || comparePositions(position, before) < 0) yield position
  }
}
