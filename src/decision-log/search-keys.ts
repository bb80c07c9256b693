import type { Decision } from '../schemas/decision.js'
import type { OutcomeLabel } from './record.js'
import { IdentifierKind } from './store.js'
import type { IndexEntry } from './store.js'

/**
 * The names of a partition's search indexes and overview counts in Redis, after the partition's
 * prefix `<prefix>{p<n>}:` (so in its slot). Each is a sorted set of decision fields by time,
 * except `n:<hour>`, a hash of counts (overview.ts), and the paged ones:
 *   E:<a|r|b>           records by decision kind (together: every record), in text pages
 *                       (text-pages.ts) of place entries (place-entries.ts): the directory, and
 *                       its pages `E:<a|r|b>:<page>`
 *   H:<rule>            records by fired live rule, the same (pages `H:<rule>:<page>`)
 *   D:<a|r|b>, G:<rule> the same in text pages of field entries, as earlier versions wrote them
 *                       (and the log still does for a record whose place does not fit)
 *   K:<a|r|b>, F:<rule> the same as paged sorted sets (paged-sets.ts), and
 *   k:<a|r|b>, f:<rule> as plain sorted sets, as records written by earlier versions have them
 *                       (read beside the text pages until trimmed empty; nothing adds to them)
 *   l:<label>           records by latest outcome label (moved by the outcome script)
 *   V:<kind>            records by identifier digest (kind: e email, i ip, c card, u customer):
 *                       a hash, digest -> its place entries `<time, 13 digits><place>`
 *                       (place-entries.ts: 21 characters each) in time order, at most
 *                       POSTINGS_MAX (redis-scripts.ts); a busy identifier's field holds `*` and
 *                       its entries are in u:<kind> (below)
 *   U:<kind>            the same of field entries `<time, 13 digits><field>` (35 characters), as
 *                       earlier versions wrote them (and the log still does for a record whose
 *                       place does not fit); a busy identifier's field holds `*` and its entries
 *                       are in
 *   u:<kind>            a sorted set of members `<digest>:<entry>` (of either kind), all of
 *                       score 0, so that one digest's records are one lex range in time order.
 *                       (A key per identifier would cost a key, its TTL and a PEXPIRE per
 *                       write for each identifier; a sorted-set member costs about 170 bytes
 *                       and a skiplist insert, a hash entry about a third of that and no
 *                       ordering work.)
 *   ro                  open reviews by decision time; rc closed reviews by close time
 *   n:<hour>            counts of the UTC hour (hours since the epoch)
 * The scripts (redis-scripts.ts) build the same names.
 */
export const KIND_CHAR: Readonly<Record<Decision, string>> = { allow: 'a', review: 'r', block: 'b' }

export const IDENTIFIER_CHAR: Readonly<Record<IdentifierKind, string>> = {
  [IdentifierKind.EMAIL]: 'e',
  [IdentifierKind.IP]: 'i',
  [IdentifierKind.CARD]: 'c',
  [IdentifierKind.CUSTOMER]: 'u'
}

/**
 * an index a search reads: a sorted set, or for one in text pages the directories of their place
 * entries (`places`) and field entries (`text`), with the paged set (`sets`) and the plain set
 * (`set`) earlier versions wrote
 */
export interface IndexName {
  set: string
  paged?: { sets: string, text: string, places: string }
}

export const searchKey = {
  kind: (decision: Decision): IndexName => ({ set: `k:${KIND_CHAR[decision]}`, paged: { sets: `K:${KIND_CHAR[decision]}`, text: `D:${KIND_CHAR[decision]}`, places: `E:${KIND_CHAR[decision]}` } }),
  rule: (rule: string): IndexName => ({ set: `f:${rule}`, paged: { sets: `F:${rule}`, text: `G:${rule}`, places: `H:${rule}` } }),
  label: (label: OutcomeLabel): string => `l:${label}`,
  identifier: (kind: IdentifierKind): string => `u:${IDENTIFIER_CHAR[kind]}`,
  postings: (kind: IdentifierKind): string => `U:${IDENTIFIER_CHAR[kind]}`,
  placePostings: (kind: IdentifierKind): string => `V:${IDENTIFIER_CHAR[kind]}`,
  open: 'ro',
  closed: 'rc',
  hour: (hour: number): string => `n:${hour}`
} as const

/** a time as 13 digits (the years 2001 to 2286), so that lex order is time order */
export function time13 (ms: number): string {
  return String(ms).padStart(13, '0')
}

/**
 * A record's index entry as one script argument: `<kind char><degraded 0|1><time, 13 digits>~|<identifiers>|<rules>`,
 * identifiers as `<kind char><digest>` and rules comma-separated (rule ids are snake_case; digests
 * base64url: neither holds a comma or a bar). The log's stream keeps it beside the record (field
 * `x`), the rules by their codes; `~` says that the kind and rule indexes name the record by its
 * place (place-entries.ts): the append script removes it for a record whose place does not fit.
 * Entries written by earlier versions have nothing after the time, or the hour (hours since the
 * epoch).
 */
export function indexArg (index: IndexEntry, atMs: number): string {
  const ids: string[] = []
  for (const kind of Object.values(IdentifierKind)) {
    const digest = index.identifiers[kind]
    if (digest !== undefined) ids.push(`${IDENTIFIER_CHAR[kind]}${digest}`)
  }
  return `${KIND_CHAR[index.decision]}${index.degraded ? 1 : 0}${time13(atMs)}~|${ids.join(',')}|${index.rules.join(',')}`
}

const KIND_OF_CHAR: ReadonlyMap<string, IdentifierKind> = new Map(Object.entries(IDENTIFIER_CHAR).map(([kind, char]) => [char, kind as IdentifierKind]))

/** the identifier digests of an index entry as indexArg writes it (none from anything else) */
export function identifiersOfIndexArg (x: unknown): IndexEntry['identifiers'] {
  const identifiers: IndexEntry['identifiers'] = {}
  if (typeof x !== 'string') return identifiers
  const b1 = x.indexOf('|')
  const b2 = b1 < 0 ? -1 : x.indexOf('|', b1 + 1)
  if (b2 < 0) return identifiers
  for (const id of x.slice(b1 + 1, b2).split(',')) {
    const kind = KIND_OF_CHAR.get(id.charAt(0))
    if (kind !== undefined && id.length > 1) identifiers[kind] = id.slice(1)
  }
  return identifiers
}
