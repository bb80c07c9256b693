import { Type } from 'typebox'
import { CLOSE_REVIEW_EXAMPLE } from './examples.js'
import type { Static } from 'typebox'
import { DecisionSummaryProperties } from './decision-summary.js'
import { MAX_OUTCOME_NOTE, OutcomeSchema } from './decision-log.js'
import { CursorQuerySchema, LimitQuerySchema } from './pagination.js'
import { ReviewActionSchema, ReviewSchema, ReviewStatus } from './review.js'

/** A decision summary with its review (the review queue). */
export const ReviewSummarySchema = Type.Object({
  ...DecisionSummaryProperties,
  review: ReviewSchema
}, { additionalProperties: false, $id: 'ReviewSummary' })
export type ReviewSummary = Static<typeof ReviewSummarySchema>

export const ReviewQuerySchema = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal(ReviewStatus.OPEN), Type.Literal(ReviewStatus.CLOSED)], {
    description: 'open (default): oldest decision first; closed: most recently closed first'
  })),
  limit: Type.Optional(LimitQuerySchema),
  cursor: Type.Optional(CursorQuerySchema)
}, { additionalProperties: false })

export const ReviewListSchema = Type.Object({
  reviews: Type.Array(ReviewSummarySchema),
  next_cursor: Type.Optional(Type.String({ description: 'absent: nothing more matches' }))
}, { additionalProperties: false })

export const CloseReviewBodySchema = Type.Object({
  action: ReviewActionSchema,
  note: Type.Optional(Type.String({ maxLength: MAX_OUTCOME_NOTE, description: 'free text; card numbers are removed before it is stored' }))
}, { additionalProperties: false, examples: [CLOSE_REVIEW_EXAMPLE] })
export type CloseReviewBody = Static<typeof CloseReviewBodySchema>

export const CloseReviewResponseSchema = Type.Object({
  decision_id: Type.String(),
  review: ReviewSchema,
  /** the outcome that closed the review: review_approved or review_rejected, source review */
  outcome: OutcomeSchema
}, { additionalProperties: false })
export type CloseReviewResponse = Static<typeof CloseReviewResponseSchema>
