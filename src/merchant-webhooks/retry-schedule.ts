/**
 * When a failed delivery is tried again: exponential backoff from `baseMs`, doubled per failed
 * attempt up to `capMs`, with jitter (each delay drawn between half and all of its step, so
 * that events that failed together do not come back together), for at least `horizonMs` after
 * the event was made; a delivery that fails after the horizon is dropped (and counted).
 */
export interface RetrySchedule {
  baseMs: number
  capMs: number
  horizonMs: number
}

/** 10 s, 20 s, 40 s ... up to 1 h between attempts (less the jitter), for 24 h: about 40 attempts */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  baseMs: 10_000,
  capMs: 60 * 60_000,
  horizonMs: 24 * 60 * 60_000
}

/** the delay before the attempt that follows `failures` failed ones (1 = the first failed); `random` in [0, 1) */
export function retryDelay (schedule: RetrySchedule, failures: number, random: number): number {
  const step = Math.min(schedule.capMs, schedule.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30))
  return Math.round(step / 2 + (step / 2) * random)
}

/**
 * What follows a failed attempt at `nowMs` of an event made at `createdMs`: the time of the next
 * attempt, or `drop` once the horizon has passed (so every event is tried for at least the horizon).
 */
export function afterFailure (schedule: RetrySchedule, createdMs: number, failures: number, nowMs: number, random: number): { retryAt: number } | 'drop' {
  if (nowMs - createdMs >= schedule.horizonMs) return 'drop'
  return { retryAt: nowMs + retryDelay(schedule, failures, random) }
}
