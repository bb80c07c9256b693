import type { Decision } from '../schemas/decision.js'
import type { OutcomeLabel } from './record.js'
import type { Overview, OverviewBucket, OverviewQuery } from './store.js'

export const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
/** buckets an overview answers at most (a year of hours, or decades of days) */
export const MAX_OVERVIEW_BUCKETS = 24 * 366
export const TOP_RULES = 20

/**
 * The counts of one UTC hour, by field (the same names in Redis hashes and in process):
 * `allow` `review` `block` decisions, `degraded` answers, `o:<label>` outcomes reported,
 * `f:<rule>` times a live rule fired.
 */
export type HourCounts = ReadonlyMap<string, number>

export const countField = {
  degraded: 'degraded',
  outcome: (label: OutcomeLabel): string => `o:${label}`,
  rule: (rule: string): string => `f:${rule}`
} as const

/** the hour (number of hours since the epoch) a time falls in */
export function hourOf (ms: number): number {
  return Math.floor(ms / HOUR_MS)
}

/** the hours whose counts an overview of `query` reads: every hour that overlaps its range */
export function hoursOf (query: OverviewQuery): number[] {
  const size = query.bucket === 'day' ? DAY_MS : HOUR_MS
  const from = query.range.from.getTime()
  const to = query.range.to.getTime()
  if (!(to > from)) return []
  if ((to - from) / size > MAX_OVERVIEW_BUCKETS) throw new RangeError(`an overview has at most ${MAX_OVERVIEW_BUCKETS} buckets`)
  const hours: number[] = []
  for (let h = hourOf(from); h * HOUR_MS < to; h++) hours.push(h)
  return hours
}

/** the overview from the counts of every hour it reads (`countsOf` answers undefined for an hour without any) */
export function buildOverview (query: OverviewQuery, countsOf: (hour: number) => HourCounts | undefined): Overview {
  const size = query.bucket === 'day' ? DAY_MS : HOUR_MS
  const buckets = new Map<number, OverviewBucket>()
  const rules = new Map<string, number>()
  for (const hour of hoursOf(query)) {
    const start = Math.floor(hour * HOUR_MS / size) * size
    let bucket = buckets.get(start)
    if (bucket === undefined) {
      bucket = { start: new Date(start).toISOString(), decisions: { allow: 0, review: 0, block: 0 }, degraded: 0, outcomes: {} }
      buckets.set(start, bucket)
    }
    const counts = countsOf(hour)
    if (counts === undefined) continue
    for (const [field, n] of counts) {
      if (field === 'allow' || field === 'review' || field === 'block') bucket.decisions[field as Decision] += n
      else if (field === countField.degraded) bucket.degraded += n
      else if (field.startsWith('o:')) {
        const label = field.slice(2) as OutcomeLabel
        bucket.outcomes[label] = (bucket.outcomes[label] ?? 0) + n
      } else if (field.startsWith('f:')) rules.set(field.slice(2), (rules.get(field.slice(2)) ?? 0) + n)
    }
  }
  const topRules = [...rules]
    .map(([rule, count]) => ({ rule, count }))
    .sort((a, b) => b.count - a.count || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))
    .slice(0, TOP_RULES)
  return { buckets: [...buckets.values()], topRules }
}

/** the time an outcome was reported (its `at`), or `fallback` when it does not read as a time */
export function reportedMs (at: string, fallback: number): number {
  const ms = Date.parse(at)
  return Number.isNaN(ms) ? fallback : ms
}
