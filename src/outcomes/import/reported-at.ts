/**
 * `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` or the same with a `T`, with `Z` or an offset
 * (`+07:00`, `+0700`) or none (UTC: exports' `Created (UTC)` columns), or Unix seconds (Stripe's
 * API `created`).
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|UTC|[+-]\d{2}:?\d{2})?)?$/
const UNIX_SECONDS = /^\d{9,11}$/

/** how far ahead of now a time may be (time zones mistaken for UTC) */
export const MAX_AHEAD_MS = 24 * 60 * 60 * 1000

/**
 * The instant a row's time names, as ISO 8601 in UTC; undefined when it is no valid date and
 * time (a 30 February, an hour 25), or more than a day ahead of `nowMs`.
 */
export function parseReportedAt (text: string, nowMs: number): string | undefined {
  let ms: number
  if (UNIX_SECONDS.test(text)) {
    ms = Number(text) * 1000
  } else {
    const m = DATE_TIME.exec(text)
    if (m === null) return undefined
    const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number]
    const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
    const local = Date.UTC(year, month - 1, day, hour, minute, second, fraction)
    // a day the month does not have rolls over: refuse it rather than move it
    if (new Date(local).getUTCDate() !== day) return undefined
    const zone = m[8]
    let offsetMinutes = 0
    if (zone !== undefined && !/^(Z|z|UTC)$/.test(zone)) {
      const digits = zone.replace(':', '')
      const hours = Number(digits.slice(1, 3))
      const minutes = Number(digits.slice(3, 5))
      if (hours > 14 || minutes > 59) return undefined
      offsetMinutes = (digits[0] === '-' ? -1 : 1) * (hours * 60 + minutes)
    }
    ms = local - offsetMinutes * 60_000
  }
  if (!Number.isFinite(ms) || ms > nowMs + MAX_AHEAD_MS || ms < 0) return undefined
  return new Date(ms).toISOString()
}
