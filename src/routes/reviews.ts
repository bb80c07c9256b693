import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestActor } from '../auth/actor.js'
import { Scope } from '../auth/api-keys.js'
import type { DecisionOutcome, DecisionRecord } from '../decision-log/record.js'
import type { DecisionLogStore } from '../decision-log/store.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { outcomeWrite } from '../outcomes/report-outcome.js'
import { rulesById } from '../reviews/live-rules.js'
import { closeAction, closeLabel, reviewOf } from '../reviews/review-state.js'
import { reviewSummary } from '../reviews/summaries.js'
import type { ReviewSummary } from '../schemas/review-queue.js'
import { CloseReviewBodySchema, CloseReviewResponseSchema, ReviewListSchema, ReviewQuerySchema } from '../schemas/review-queue.js'
import { DecisionIdParamsSchema } from '../schemas/decision-log.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import { ReviewStatus } from '../schemas/review.js'
import type { Review, ReviewAction } from '../schemas/review.js'
import type { Cursors } from '../search/cursor.js'
import { queryText } from '../search/cursor.js'
import { storeCall } from '../search/store-call.js'

/** A review just closed (stored): what the merchant webhook `review.closed` tells. */
export interface ReviewClosedEvent {
  decisionId: string
  chargeId: string
  action: ReviewAction
  /** `key:<key id>` or `console:<key id>` */
  actor: string
  /** ISO 8601 time of the close */
  at: string
  /** the analyst's note, scrubbed of card numbers */
  note?: string
}

export interface ReviewRouteOptions {
  store: Pick<DecisionLogStore, 'keys' | 'get' | 'reviews' | 'closeReview'>
  rules: { readonly current: CompiledRuleSet }
  cursors: Cursors
  /** the record of a decision of this process that still waits in the outbox */
  waitingRecord: (decisionId: string) => DecisionRecord | undefined
  /** called once a close is stored (never for a refused one); a hook that throws does not undo the close */
  onReviewClosed?: (event: ReviewClosedEvent) => void
  now?: () => number
}

export const DEFAULT_PAGE_LIMIT = 25

function notFound (): RiskgateError {
  return new RiskgateError(404, ErrorCode.DECISION_NOT_FOUND,
    'no decision with this id is kept (unknown, or older than the decision log keeps)')
}

function notAReview (decision: string): RiskgateError {
  return new RiskgateError(409, ErrorCode.NOT_A_REVIEW, `this decision is "${decision}", not "review": there is no review to close`)
}

function closedAlready (close: DecisionOutcome): RiskgateError {
  const by = close.actor === undefined ? '' : ` by ${close.actor}`
  return new RiskgateError(409, ErrorCode.REVIEW_CLOSED,
    `this review was closed already (${closeAction(close.label)}${by} at ${close.at}): the first close stands`)
}

/**
 * The review queue (scope analyst): GET /v1/reviews lists open reviews (oldest decision first) or
 * closed ones (most recently closed first); POST /v1/reviews/:decision_id approves or rejects one,
 * recorded as the outcome review_approved / review_rejected (source review, the actor). A close is
 * confirmed or refused, never queued: 503 when the store cannot be reached.
 */
export const reviewRoutes: FastifyPluginAsyncTypebox<ReviewRouteOptions> = async function reviewRoutes (fastify, opts) {
  const { store, cursors } = opts
  const now = opts.now ?? Date.now

  fastify.get('/v1/reviews', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'The review queue: open reviews oldest first, or closed reviews most recently closed first',
      tags: ['reviews'],
      security: [{ bearer: [] }],
      querystring: ReviewQuerySchema,
      response: { 200: ReviewListSchema, 400: ErrorResponseSchema, 503: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function listReviews (request) {
    const status = request.query.status ?? ReviewStatus.OPEN
    const limit = request.query.limit === undefined ? DEFAULT_PAGE_LIMIT : Number(request.query.limit)
    const query = queryText('reviews', { status })
    const cursor = request.query.cursor === undefined ? undefined : cursors.unwrap(query, request.query.cursor)
    const page = await storeCall(request.log, 'the review queue', async () =>
      await store.reviews({ status, limit, ...(cursor !== undefined ? { cursor } : {}) }))
    const rules = rulesById(opts.rules.current)
    const at = now()
    const reviews: ReviewSummary[] = []
    for (const record of page.records) {
      const summary = reviewSummary(record, rules, at)
      if (summary !== undefined) reviews.push(summary)
    }
    return page.next === undefined ? { reviews } : { reviews, next_cursor: cursors.wrap(query, page.next) }
  })

  fastify.post('/v1/reviews/:decision_id', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'Close a review: approve or reject it, with an optional note',
      description: 'Recorded as the outcome review_approved / review_rejected (source review) with the actor. 409 not_a_review for an allow or block decision; 409 review_closed when it was closed already (the first close stands).',
      tags: ['reviews'],
      security: [{ bearer: [] }],
      params: DecisionIdParamsSchema,
      body: CloseReviewBodySchema,
      response: {
        200: CloseReviewResponseSchema,
        400: ErrorResponseSchema,
        404: ErrorResponseSchema,
        409: ErrorResponseSchema,
        415: ErrorResponseSchema,
        503: ErrorResponseSchema,
        ...authErrorResponses
      }
    }
  }, async function closeReview (request) {
    const id = request.params.decision_id
    if (store.keys.ofDecisionId(id) === undefined) throw notFound()
    const actor = requestActor(request)
    const record = await storeCall(request.log, 'a review close', async () => await store.get(id))
    if (record === undefined) {
      if (opts.waitingRecord(id) !== undefined) {
        // decided here a moment ago, its record not written yet (the store is likely unreachable)
        throw new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, 'this decision is not recorded yet: retry in a moment')
      }
      throw notFound()
    }
    if (record.decision !== 'review') throw notAReview(record.decision)
    const write = outcomeWrite({
      label: closeLabel(request.body.action),
      source: 'review',
      actor,
      at: new Date(now()).toISOString(),
      ...(request.body.note !== undefined ? { note: request.body.note } : {})
    })
    const result = await storeCall(request.log, 'a review close', async () => await store.closeReview(id, write))
    switch (result.status) {
      case 'unknown': throw notFound()
      case 'not_review': throw notAReview(record.decision)
      case 'closed': throw closedAlready(result.outcome)
    }
    const close = write.outcome
    request.logFields = { decision_id: id, label: close.label }
    if (opts.onReviewClosed !== undefined) {
      const event: ReviewClosedEvent = { decisionId: id, chargeId: record.charge_id, action: request.body.action, actor, at: close.at }
      if (close.note !== undefined) event.note = close.note
      try {
        opts.onReviewClosed(event)
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err))
        request.log.error({ err: { type: e.name, message: e.message }, decision_id: id }, 'the review.closed hook failed (the close is stored)')
      }
    }
    const review = reviewOf({ decision: 'review', at: record.at, outcome: close, outcomes: [close] }, now()) as Review
    return { decision_id: id, review, outcome: close }
  })
}
