import { timingSafeEqual } from 'node:crypto'
import { ErrorCode, RiskgateError } from '../errors.js'
import { createKeyedDigest } from '../hashing/keyed-digest.js'

/**
 * Page cursors given to API clients: the store's own cursor, signed together with the query it
 * belongs to (its filters, not its limit), so that a cursor this server did not give, or given
 * with other filters, is refused (400 invalid_cursor) before it reaches the store.
 */
export interface Cursors {
  /** the client's cursor for the store's `next` of a query */
  wrap: (query: string, next: string) => string
  /** the store's cursor of a client's cursor for this query; throws 400 invalid_cursor */
  unwrap: (query: string, cursor: string) => string
}

const DOMAIN = 'cursor'
const MAC_BYTES = 12
const SHAPE = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{16}$/

function invalidCursor (): RiskgateError {
  return new RiskgateError(400, ErrorCode.INVALID_CURSOR, 'this cursor was not given for this query: send the next_cursor of the previous page with the same filters, or no cursor')
}

export function createCursors (hashKey: string): Cursors {
  const digest = createKeyedDigest(hashKey)
  const mac = (query: string, next: string): Buffer => digest(DOMAIN, `${query}\0${next}`).subarray(0, MAC_BYTES)
  return {
    wrap: (query, next) => `${Buffer.from(next, 'utf8').toString('base64url')}.${mac(query, next).toString('base64url')}`,
    unwrap (query, cursor) {
      if (!SHAPE.test(cursor)) throw invalidCursor()
      const dot = cursor.indexOf('.')
      const text = cursor.slice(0, dot)
      const next = Buffer.from(text, 'base64url').toString('utf8')
      const given = Buffer.from(cursor.slice(dot + 1), 'base64url')
      // one cursor a position: a text that decodes to the same bytes but is not their encoding is refused too
      if (Buffer.from(next, 'utf8').toString('base64url') !== text) throw invalidCursor()
      if (given.length !== MAC_BYTES || !timingSafeEqual(given, mac(query, next))) throw invalidCursor()
      return next
    }
  }
}

/** A query's filters as the text a cursor is signed with: the same filters give the same text. */
export function queryText (kind: string, filters: Record<string, string | number | undefined>): string {
  return JSON.stringify([kind, ...Object.keys(filters).sort().map((name) => [name, filters[name] ?? null])])
}
