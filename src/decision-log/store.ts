import type { DecisionKey, DecisionKeys } from '../idempotency/decision-key.js'
import type { RecordContext } from './codec.js'
import type { Decision } from '../schemas/decision.js'
import type { DecisionOutcome, DecisionRecord, OutcomeLabel } from './record.js'

/** A time range of the log: `from` included, `to` excluded; either may be absent. */
export interface LogRange {
  from?: Date
  to?: Date
}

/** How an outcome meets the one already stored (see src/outcomes/precedence.ts). */
export interface OutcomeWrite {
  outcome: DecisionOutcome
  /** how strong the evidence is: a write with a lower rank than the stored outcome's is kept out */
  rank: number
  /** replace whatever is stored (an analyst's or the merchant's own label through the API) */
  force: boolean
}

export type OutcomeResult =
  /** no decision with this id is kept (nor being decided) */
  | { status: 'unknown' }
  /** the outcome is now the decision's latest */
  | { status: 'stored', outcome: DecisionOutcome }
  /** a stronger outcome was already stored and stays (e.g. a chargeback is not replaced by a late `legit`) */
  | { status: 'kept', outcome: DecisionOutcome }

/** The answer to closing a review (an outcome review_approved / review_rejected written only if the review is open). */
export type CloseReviewResult =
  | OutcomeResult
  /** the decision is not a `review` */
  | { status: 'not_review' }
  /** the review was closed already: by this outcome */
  | { status: 'closed', outcome: DecisionOutcome }

/**
 * What a record is found by, besides its time and charge id: computed at scoring from what the
 * request computed already (src/decision-log/index-entry.ts). Identifiers only as keyed digests.
 */
export interface IndexEntry {
  decision: Decision
  /** ids of the live rules that fired */
  rules: readonly string[]
  /** the keyed digests of the charge's identifiers that were sent (src/hashing/identifier-digest.ts) */
  identifiers: Partial<Record<IdentifierKind, string>>
  /** the answer was degraded (a signal unavailable) */
  degraded: boolean
}

export const IdentifierKind = {
  EMAIL: 'email',
  IP: 'ip',
  CARD: 'card_fingerprint',
  CUSTOMER: 'customer_id'
} as const
export type IdentifierKind = typeof IdentifierKind[keyof typeof IdentifierKind]

/** A search of the log (GET /v1/decisions): every filter given must hold; newest first. */
export interface SearchQuery {
  decision?: Decision
  /** a live rule that fired */
  rule?: string
  /** the decision's latest outcome; `none`: no outcome reported */
  outcome?: OutcomeLabel | 'none'
  range?: LogRange
  /** one identifier, as its keyed digest */
  identifier?: { kind: IdentifierKind, digest: string }
  /** 1..100 */
  limit: number
  /** from a previous page's `next` */
  cursor?: string
}

/** The review queue (GET /v1/reviews): open oldest first (by decision time), closed newest closed first. */
export interface ReviewQuery {
  status: 'open' | 'closed'
  limit: number
  cursor?: string
}

/**
 * A page of records. `next` (opaque) continues after the last record; absent when nothing more
 * matches. A page may hold fewer than `limit` records and still have a `next` when the store
 * stopped after examining its bound of candidates (`SEARCH_EXAMINE_MAX`).
 */
export interface Page {
  records: DecisionRecord[]
  next?: string
}

/** candidates a search examines per page at most (a filter that matches few records pages on) */
export const SEARCH_EXAMINE_MAX = 5_000

export interface OverviewQuery {
  range: Required<LogRange>
  bucket: 'hour' | 'day'
}

/** What happened per bucket of time (UTC hours or days): counted as decisions are recorded and outcomes reported. */
export interface OverviewBucket {
  /** ISO 8601 start of the bucket */
  start: string
  decisions: Record<Decision, number>
  /** answers made without a signal (velocity or idempotency unavailable) */
  degraded: number
  /** outcomes reported in the bucket, by label */
  outcomes: Partial<Record<OutcomeLabel, number>>
}

export interface Overview {
  buckets: OverviewBucket[]
  /** the rules that fired most in the range, most first (at most 20) */
  topRules: Array<{ rule: string, count: number }>
}

/** One decision to record, encoded (src/decision-log/codec.ts). */
export interface AppendEntry {
  key: DecisionKey
  /** the request body's fingerprint (src/idempotency/fingerprint.ts) */
  fingerprint: string
  /**
   * The attempt that decided (see Reservation): its record lands while that attempt holds the
   * reservation, or when no attempt holds it (the store did not answer the reservation in time, or
   * it lapsed); never over another attempt's reservation or record.
   */
  nonce: string
  atMs: number
  encoded: string
  context: RecordContext
  /** what the record is found by in searches and the review queue */
  index: IndexEntry
}

/**
 * written: recorded now; duplicate: this decision was recorded already (a resent write);
 * superseded: another attempt of the same charge holds the reservation or is recorded (this one
 * was answered degraded and is not recorded: one charge id, one recorded decision).
 */
export type AppendResult = 'written' | 'duplicate' | 'superseded'

/** What the log knows of a charge now. */
export type Lookup =
  | { status: 'recorded', fingerprint: string, record: DecisionRecord }
  /** an attempt holds the reservation and its record has not landed yet */
  | { status: 'pending', fingerprint: string }
  | { status: 'none' }

/** The answer to a reservation: this attempt decides the charge, or what the log already knows. */
export type Reservation = { status: 'reserved' } | Exclude<Lookup, { status: 'none' }>

/**
 * The decision log: every live decision, once per charge id, with what it was decided on
 * (identifiers as keyed digests), in bounded storage (RISKGATE_DECISION_LOG_MAX records at most, for
 * RISKGATE_DECISION_LOG_TTL_SECONDS at most), found by time, by decision id and by charge id. It is
 * also the idempotency store: a charge id is reserved before it is decided (a reservation lives
 * for `pendingMs` unless its record replaces it), so that a retry replays the recorded decision.
 */
export interface DecisionLogStore {
  readonly backend: 'redis' | 'memory'
  readonly keys: DecisionKeys
  /**
   * Reserves the charge for the attempt `nonce`, unless it is recorded or reserved by another
   * attempt already; a reservation older than `pendingMs` no longer holds.
   */
  reserve: (key: DecisionKey, fingerprint: string, nonce: string, pendingMs: number) => Promise<Reservation>
  /** records decisions, idempotently: one result per entry, in order */
  append: (entries: readonly AppendEntry[]) => Promise<AppendResult[]>
  lookup: (key: DecisionKey) => Promise<Lookup>
  /** the recorded decision with its latest outcome; undefined when unknown or no longer kept */
  get: (decisionId: string) => Promise<DecisionRecord | undefined>
  /** sets an outcome on a recorded decision, or on one being decided (reserved) */
  setOutcome: (decisionId: string, write: OutcomeWrite) => Promise<OutcomeResult>
  /** the decision id of a charge id that is recorded or being decided, or of a linked gateway charge id */
  findByChargeId: (chargeId: string) => Promise<string | undefined>
  /** makes `chargeId` (e.g. the Omise charge id) find `decisionId` too, for as long as the log keeps decisions */
  linkCharge: (chargeId: string, decisionId: string) => Promise<void>
  /** every kept record in `range`, oldest first, each with its latest outcome */
  scan: (range?: LogRange) => AsyncIterable<DecisionRecord>
  /** records matching every filter, newest first, each with its latest outcome and history */
  search: (query: SearchQuery) => Promise<Page>
  /** the review queue: decisions `review` whose review is open (no review_* outcome yet), or closed */
  reviews: (query: ReviewQuery) => Promise<Page>
  /**
   * closes a review with `write` (a review_approved / review_rejected outcome, source `review`),
   * atomically: only if the decision is `review` and its review is still open
   */
  closeReview: (decisionId: string, write: OutcomeWrite) => Promise<CloseReviewResult>
  /** counts per bucket over a range, and the top rules fired in it */
  overview: (query: OverviewQuery) => Promise<Overview>
}

/**
 * 800,000 records in all unless RISKGATE_DECISION_LOG_MAX sets a partition's: spread over the
 * partitions (100,000 each of 8, as earlier versions kept), about 1 GB of Redis at the size a
 * record and its search indexes measure (docs/decision-log.md).
 */
export const DEFAULT_LOG_MAX_RECORDS = 800_000

/** the records a partition keeps by default: its share of DEFAULT_LOG_MAX_RECORDS */
export function defaultMaxPerPartition (partitions: number): number {
  return Math.ceil(DEFAULT_LOG_MAX_RECORDS / partitions)
}
/**
 * 15,000 records in process (one partition): about 18 MB of the process's heap at the size a
 * record and its search indexes measure (docs/decision-log.md), so that a server without Redis
 * stays under 300 MB of RSS however many charges it scores (`npm run bench`, RSS phase); a single
 * instance without Redis is a small deployment
 */
export const DEFAULT_MEMORY_LOG_MAX = 15_000
/** 120 days: the card networks' usual chargeback window */
export const DEFAULT_LOG_TTL_SECONDS = 120 * 24 * 60 * 60
/**
 * How long a reservation holds without its record: far longer than any answer takes and than the
 * outbox needs to write the record while Redis is up; after it, a retry may decide the charge anew
 * (the first attempt's process is presumed gone).
 */
export const DEFAULT_PENDING_MS = 60_000

export function inRange (atMs: number, range: LogRange): boolean {
  if (range.from !== undefined && atMs < range.from.getTime()) return false
  if (range.to !== undefined && atMs >= range.to.getTime()) return false
  return true
}

/** the stored form of an outcome with its rank */
export function encodeOutcome (write: OutcomeWrite): string {
  return `${write.rank}|${JSON.stringify(write.outcome)}`
}

/** whether an outcome closes a review */
export function closesReview (label: OutcomeLabel): boolean {
  return label === 'review_approved' || label === 'review_rejected'
}

export function decodeOutcome (stored: string): { rank: number, outcome: DecisionOutcome } {
  const bar = stored.indexOf('|')
  return { rank: Number(stored.slice(0, bar)), outcome: JSON.parse(stored.slice(bar + 1)) as DecisionOutcome }
}
