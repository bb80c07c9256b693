import type { DecisionOutcome, DecisionRecord } from './record.js'

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
  /** no decision with this id is kept */
  | { status: 'unknown' }
  /** the outcome is now the decision's latest */
  | { status: 'stored', outcome: DecisionOutcome }
  /** a stronger outcome was already stored and stays (e.g. a chargeback is not replaced by a late `legit`) */
  | { status: 'kept', outcome: DecisionOutcome }

/**
 * The decision log: every live decision with the snapshot of its features (DecisionRecord), in
 * bounded storage, plus a by-id index that outlives the log's bound for outcomes: a chargeback
 * arrives weeks after the charge.
 */
export interface DecisionLogStore {
  readonly backend: 'redis' | 'memory'
  /** appends records (without outcomes); indexes them by decision id and charge id */
  append: (records: readonly DecisionRecord[]) => Promise<void>
  /** the record with its latest outcome; undefined when unknown or no longer kept */
  get: (decisionId: string) => Promise<DecisionRecord | undefined>
  /** whether a decision with this id is known (its outcome can be set) */
  has: (decisionId: string) => Promise<boolean>
  setOutcome: (decisionId: string, write: OutcomeWrite) => Promise<OutcomeResult>
  /** the decision id recorded for a charge id (the merchant's, or a gateway's linked with linkCharge) */
  findByChargeId: (chargeId: string) => Promise<string | undefined>
  /** makes `chargeId` (e.g. the Omise charge id) find `decisionId` too */
  linkCharge: (chargeId: string, decisionId: string) => Promise<void>
  /** every kept record in `range`, oldest first, each with its latest outcome */
  scan: (range?: LogRange) => AsyncIterable<DecisionRecord>
}

/**
 * 25,000 records per partition: 200,000 with the default 8 partitions, about 460 MB of Redis at
 * the 2.3 KB a record measured by bench/decision-log.ts
 */
export const DEFAULT_LOG_MAX_PER_PARTITION = 25_000
export const DEFAULT_LOG_PARTITIONS = 8
/** 120 days: the card networks' usual chargeback window */
export const DEFAULT_LOG_TTL_SECONDS = 120 * 24 * 60 * 60

export function inRange (at: string, range: LogRange): boolean {
  const ms = Date.parse(at)
  if (range.from !== undefined && ms < range.from.getTime()) return false
  if (range.to !== undefined && ms >= range.to.getTime()) return false
  return true
}
