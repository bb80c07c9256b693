/**
 * Decisions kept by charge id, so scoring the same charge id again returns the stored decision.
 * The key is a keyed hash of the charge id; the record is an opaque JSON-serializable object
 * (the score response), stored as JSON; what `get` returns, and what `putIfAbsent` returns when
 * another record won, is parsed from that JSON.
 */
export interface DecisionStore {
  readonly backend: 'redis' | 'memory'
  /** the stored record, or undefined when there is none (never stored, or expired) */
  get<R = unknown> (chargeId: string): Promise<R | undefined>
  /**
   * Stores `record` unless a record is already stored for this charge id, and returns the record
   * that won: `record` itself when it was stored, else the one stored first.
   * `ttlSeconds` defaults to the store's TTL (DEFAULT_DECISION_TTL_SECONDS unless configured).
   */
  putIfAbsent<R> (chargeId: string, record: R, ttlSeconds?: number): Promise<R>
}

/**
 * 7 days: longer than any gateway's or merchant's retry of a charge attempt, short enough that
 * charge ids are not kept forever.
 */
export const DEFAULT_DECISION_TTL_SECONDS = 7 * 24 * 60 * 60

export function validateDecisionArgs (chargeId: string, ttlSeconds: number): void {
  if (typeof chargeId !== 'string' || chargeId.length === 0) throw new TypeError('chargeId must be a non-empty string')
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError('ttlSeconds must be a positive integer')
}

export function serializeRecord (record: unknown): string {
  const json = JSON.stringify(record)
  if (json === undefined) throw new TypeError('the decision record must be JSON-serializable')
  return json
}
