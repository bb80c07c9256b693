import { parseLogRange } from '../decision-log/range.js'
import type { Overview, OverviewBucket } from '../decision-log/store.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { OverviewBucketSize } from '../schemas/overview.js'
import type { OverviewQueryString, OverviewResponse } from '../schemas/overview.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

export const BUCKET_MS = { [OverviewBucketSize.HOUR]: HOUR_MS, [OverviewBucketSize.DAY]: DAY_MS } as const
/** the default range: the last 24 hours, or the last 30 days */
const DEFAULT_BUCKETS = { [OverviewBucketSize.HOUR]: 24, [OverviewBucketSize.DAY]: 30 } as const
/** the most buckets an answer holds: 31 days of hours, 400 days */
export const MAX_BUCKETS = { [OverviewBucketSize.HOUR]: 31 * 24, [OverviewBucketSize.DAY]: 400 } as const

export interface OverviewRange {
  from: Date
  to: Date
  bucket: OverviewBucketSize
}

function invalid (path: string, message: string): RiskgateError {
  return new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'the request does not match the schema', [{ path, message }])
}

/**
 * The range of an overview in whole UTC buckets: `from` rounded down and `to` rounded up to their
 * bucket; `to` defaults to the end of the current bucket, `from` to 24 hours (hour) or 30 days
 * (day) before `to`.
 */
export function overviewRange (query: OverviewQueryString, nowMs: number): OverviewRange {
  const bucket = query.bucket ?? OverviewBucketSize.HOUR
  const size = BUCKET_MS[bucket]
  const parsed = parseLogRange(query)
  if (!parsed.ok) throw invalid(`/${parsed.bound}`, 'must be an ISO 8601 date or time (2026-11-21 or 2026-11-21T10:00:00Z)')
  const toMs = Math.ceil((parsed.range.to?.getTime() ?? nowMs + 1) / size) * size
  const fromMs = Math.floor((parsed.range.from?.getTime() ?? toMs - DEFAULT_BUCKETS[bucket] * size) / size) * size
  if (fromMs >= toMs) throw invalid('/from', 'must be before to')
  if ((toMs - fromMs) / size > MAX_BUCKETS[bucket]) throw invalid('/from', `the range may hold at most ${MAX_BUCKETS[bucket]} buckets of a ${bucket}`)
  return { from: new Date(fromMs), to: new Date(toMs), bucket }
}

/** The answer: every bucket of the range (those the store has no counts for, as zeros), oldest first. */
export function overviewResponse (range: OverviewRange, overview: Overview): OverviewResponse {
  const size = BUCKET_MS[range.bucket]
  const counted = new Map<number, OverviewBucket>()
  for (const bucket of overview.buckets) counted.set(Math.floor(Date.parse(bucket.start) / size) * size, bucket)
  const buckets: OverviewResponse['buckets'] = []
  for (let at = range.from.getTime(); at < range.to.getTime(); at += size) {
    const bucket = counted.get(at)
    buckets.push({
      start: new Date(at).toISOString(),
      decisions: {
        allow: bucket?.decisions.allow ?? 0,
        review: bucket?.decisions.review ?? 0,
        block: bucket?.decisions.block ?? 0
      },
      degraded: bucket?.degraded ?? 0,
      outcomes: { ...bucket?.outcomes }
    })
  }
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    bucket: range.bucket,
    buckets,
    top_rules: overview.topRules.slice(0, 20).map(({ rule, count }) => ({ rule, count }))
  }
}
