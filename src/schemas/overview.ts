import { Type } from 'typebox'
import type { Static } from 'typebox'
import { OutcomeLabelSchema } from './decision-log.js'

export const OverviewBucketSize = {
  HOUR: 'hour',
  DAY: 'day'
} as const
export type OverviewBucketSize = typeof OverviewBucketSize[keyof typeof OverviewBucketSize]

export const OverviewQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, included (rounded down to its bucket); default: 24 hours (hour) or 30 days (day) before `to`' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, excluded (rounded up to its bucket); default: the end of the current bucket' })),
  bucket: Type.Optional(Type.Union([Type.Literal(OverviewBucketSize.HOUR), Type.Literal(OverviewBucketSize.DAY)], { description: 'UTC hours (default) or days' }))
}, { additionalProperties: false })
export type OverviewQueryString = Static<typeof OverviewQuerySchema>

const count = Type.Integer({ minimum: 0 })

const OutcomeCountsSchema = Type.Object(
  Object.fromEntries(OutcomeLabelSchema.anyOf.map((label) => [label.const, Type.Optional(count)])),
  { additionalProperties: false, description: 'outcomes reported in the bucket, by label (labels without any are absent)' }
)

export const OverviewBucketSchema = Type.Object({
  start: Type.String({ description: 'ISO 8601 start of the bucket (UTC)' }),
  decisions: Type.Object({ allow: count, review: count, block: count }, { additionalProperties: false }),
  degraded: Type.Integer({ minimum: 0, description: 'answers made without a signal (velocity or idempotency unavailable)' }),
  outcomes: OutcomeCountsSchema
}, { additionalProperties: false })

export const OverviewSchema = Type.Object({
  from: Type.String({ description: 'ISO 8601 start of the first bucket' }),
  to: Type.String({ description: 'ISO 8601 end of the last bucket (excluded)' }),
  bucket: Type.Union([Type.Literal(OverviewBucketSize.HOUR), Type.Literal(OverviewBucketSize.DAY)]),
  buckets: Type.Array(OverviewBucketSchema, { description: 'every bucket of the range, oldest first, empty ones included' }),
  top_rules: Type.Array(Type.Object({ rule: Type.String(), count }, { additionalProperties: false }), {
    description: 'the live rules that fired most in the range, most first (at most 20)'
  })
}, { additionalProperties: false, $id: 'Overview' })
export type OverviewResponse = Static<typeof OverviewSchema>
