import type { VelocitySignals } from '../schemas/signals.js'
import type { VelocityPlan } from './plan.js'

export interface VelocityRecordInput {
  /** the merchant's charge id: a retried charge counts once */
  chargeId: string
  /** the charge's time in epoch milliseconds (the request time live, the recorded time in tests) */
  atMs: number
  plan: VelocityPlan
}

/**
 * Counts a charge in every velocity series of its plan and returns the counter values, the charge
 * itself included (the 6th charge from an IP sees 6).
 *
 * - windows are exact and sliding: a charge at `t` is in the window `w` of a charge at `now` when
 *   `now - w < t` (charges stamped later than `now`, e.g. by an instance whose clock is ahead, count);
 * - idempotent per charge id and entity: recording the same charge id again adds nothing and
 *   returns the values as of the first recording's time, plus whatever other charges arrived since;
 * - each entity is updated atomically in one step; entities are independent;
 * - counters of entities absent from the plan are absent from the result.
 *
 * The promise rejects when the backend is unavailable; it never hangs without bound. A rejected
 * call may still be applied later, in part (the Redis client resends commands that were in flight
 * when it reconnects): idempotency makes the merchant's retry of that charge count once anyway.
 */
export interface VelocityStore {
  readonly backend: 'redis' | 'memory'
  record (input: VelocityRecordInput): Promise<VelocitySignals>
}

/**
 * Per entity and series, the most events kept inside the retention window. Beyond it the oldest
 * are dropped: counts saturate at this number, sums and distinct counts cover the newest events,
 * and a retry of a dropped charge id would count again. Rules compare with thresholds far below.
 */
export const DEFAULT_MAX_EVENTS_PER_SERIES = 1000
