import type { FeatureValue } from '../engine/feature-path.js'
import type { VelocitySignals } from '../schemas/signals.js'
import type { VelocityPlan } from './plan.js'

/**
 * The caller's keyed digest of one feature value (an IP, an email, a card fingerprint...), e.g.
 * HMAC-SHA256 with RISKGATE_HASH_KEY. Computed once per request and shared with the rest of the
 * request: the velocity stores never hash, and never see a raw identifier in a key or a member.
 * It must be deterministic for a given (path, value), never empty, and (for entity keys) free of
 * `{` and `}` (the Redis Cluster hash tag); a short ASCII digest (base64url) is expected.
 */
export type Identify = (path: string, value: FeatureValue) => string

export interface VelocityRecordInput {
  /** the charge's time in epoch milliseconds (the request time live, the recorded time in backtests) */
  atMs: number
  plan: VelocityPlan
  identify: Identify
}

/**
 * Counts a charge in every velocity series of its plan and returns the counter values, the charge
 * itself included (the 6th charge from an IP sees 6). docs/velocity.md has the details.
 *
 * - `count` and `sum` windows are kept as 60 time buckets of width W/60, aligned on multiples of
 *   W/60 since the epoch: the value at `t` covers at least W - W/60 and at most W before `t` (never
 *   a charge older than W), and whatever later buckets the entity holds (charges stamped ahead of
 *   `t` by an instance whose clock is ahead). Counts are exact integers; sums add integers (a
 *   fractional value is truncated towards zero) and are clamped to +-(2^53 - 1);
 * - `distinct` is exact in time: the values last seen within (t - W, +inf), at most
 *   DEFAULT_MAX_DISTINCT_PER_SERIES per series (beyond it the least recently seen are dropped);
 * - the cost of a charge does not grow with the number of charges in its windows;
 * - not idempotent: the caller records each charge once (an idempotency reservation runs before
 *   it, or in the same Redis script);
 * - each entity is updated atomically in one step; entities are independent;
 * - counters of entities absent from the plan are absent from the result.
 *
 * The promise rejects when the backend is unavailable; it never hangs without bound. A rejected
 * call may still have been applied (the Redis client resends commands that were in flight when
 * it reconnects).
 */
export interface VelocityStore {
  readonly backend: 'redis' | 'memory'
  record (input: VelocityRecordInput): Promise<VelocitySignals>
}

/** Buckets per window: the resolution of `count` and `sum` windows is W / 60. */
export const RING_BUCKETS = 60

/**
 * The most values a `distinct` series keeps; beyond it the least recently seen are dropped (the
 * count then stays at this number). DESIGN.md: never below 1,000,000.
 */
export const DEFAULT_MAX_DISTINCT_PER_SERIES = 1_000_000

/** Sums are clamped to +-(2^53 - 1), the largest integers a double holds exactly. */
export const MAX_SUM = Number.MAX_SAFE_INTEGER
