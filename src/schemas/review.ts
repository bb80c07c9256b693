import { Type } from 'typebox'
import type { Static } from 'typebox'

export const ReviewAction = {
  APPROVE: 'approve',
  REJECT: 'reject'
} as const
export type ReviewAction = typeof ReviewAction[keyof typeof ReviewAction]

export const ReviewActionSchema = Type.Union([Type.Literal(ReviewAction.APPROVE), Type.Literal(ReviewAction.REJECT)])

export const ReviewStatus = {
  OPEN: 'open',
  CLOSED: 'closed'
} as const
export type ReviewStatus = typeof ReviewStatus[keyof typeof ReviewStatus]

export const ReviewStatusSchema = Type.Union([Type.Literal(ReviewStatus.OPEN), Type.Literal(ReviewStatus.CLOSED)])

/** The review a `review` decision opened: open until an analyst approves or rejects it. */
export const ReviewSchema = Type.Object({
  status: ReviewStatusSchema,
  age_seconds: Type.Integer({ minimum: 0, description: 'seconds since the decision while open; from the decision to the close once closed' }),
  closed: Type.Optional(Type.Object({
    action: ReviewActionSchema,
    actor: Type.String({ description: 'key:<API key id> or console:<API key id>' }),
    at: Type.String({ description: 'ISO 8601 time of the close' }),
    note: Type.Optional(Type.String())
  }, { additionalProperties: false }))
}, { additionalProperties: false, $id: 'Review' })
export type Review = Static<typeof ReviewSchema>
