import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Scope } from '../auth/api-keys.js'
import type { DigestOf } from '../decision-log/codec.js'
import { parseLogRange } from '../decision-log/range.js'
import type { DecisionRecord } from '../decision-log/record.js'
import type { DecisionLogStore, SearchQuery } from '../decision-log/store.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { decisionDetail } from '../reviews/decision-detail.js'
import { rulesById } from '../reviews/live-rules.js'
import { decisionSummary } from '../reviews/summaries.js'
import { ChargeIdParamsSchema, SearchQuerySchema, SearchResponseSchema } from '../schemas/decision-search.js'
import { DecisionRecordSchema } from '../schemas/decision-log.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import type { Cursors } from '../search/cursor.js'
import { queryText } from '../search/cursor.js'
import { identifierFilter } from '../search/identifier-filter.js'
import { recordMatches } from '../search/record-matches.js'
import { storeCall } from '../search/store-call.js'
import { DEFAULT_PAGE_LIMIT } from './reviews.js'

export interface DecisionSearchRouteOptions {
  store: Pick<DecisionLogStore, 'get' | 'search' | 'findByChargeId'>
  rules: { readonly current: CompiledRuleSet }
  cursors: Cursors
  /** the keyed digest recorded identifiers are kept as (the decision log's) */
  digestOf: DigestOf
  /** the record of a decision of this process that still waits in the outbox */
  waitingRecord: (decisionId: string) => DecisionRecord | undefined
  now?: () => number
}

function notFound (): RiskgateError {
  return new RiskgateError(404, ErrorCode.DECISION_NOT_FOUND, 'no decision of this charge id is kept (unknown, or older than the decision log keeps)')
}

/**
 * Search of the decision log (scope analyst): GET /v1/decisions (newest first, every filter given
 * must hold, cursor-paginated) and GET /v1/decisions/by-charge/:charge_id. Identifier filters are
 * hashed with the keyed hash before anything else sees them; the request log never shows a query.
 */
export const decisionSearchRoutes: FastifyPluginAsyncTypebox<DecisionSearchRouteOptions> = async function decisionSearchRoutes (fastify, opts) {
  const { store, cursors } = opts
  const now = opts.now ?? Date.now

  /** the record of a charge id: recorded, or decided here a moment ago and still on its way */
  async function recordOfCharge (log: typeof fastify.log, chargeId: string): Promise<DecisionRecord | undefined> {
    return await storeCall(log, 'a decision search', async () => {
      const id = await store.findByChargeId(chargeId)
      return id === undefined ? undefined : await store.get(id) ?? opts.waitingRecord(id)
    })
  }

  fastify.get('/v1/decisions', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'Search decisions, newest first: by decision, rule, outcome, time, charge id or one identifier (email, ip, card_fingerprint, customer_id: the raw value, hashed by the server)',
      description: 'A page may hold fewer than limit decisions and still give a next_cursor (a search examines a bounded number of candidates per page); no next_cursor means nothing more matches. A cursor is valid only with the filters it was given for.',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      querystring: SearchQuerySchema,
      response: { 200: SearchResponseSchema, 400: ErrorResponseSchema, 503: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function searchDecisions (request) {
    const q = request.query
    const parsed = parseLogRange(q)
    if (!parsed.ok) {
      throw new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'the request does not match the schema',
        [{ path: `/${parsed.bound}`, message: 'must be an ISO 8601 date or time (2026-11-21 or 2026-11-21T10:00:00Z)' }])
    }
    const identifier = identifierFilter(q, opts.digestOf)
    const filters: Omit<SearchQuery, 'limit' | 'cursor'> = {}
    if (q.decision !== undefined) filters.decision = q.decision
    if (q.rule !== undefined) filters.rule = q.rule
    if (q.outcome !== undefined) filters.outcome = q.outcome
    if (parsed.range.from !== undefined || parsed.range.to !== undefined) filters.range = parsed.range
    if (identifier !== undefined) filters.identifier = identifier
    const text = queryText('decisions', {
      decision: q.decision,
      rule: q.rule,
      outcome: q.outcome,
      from: parsed.range.from?.getTime(),
      to: parsed.range.to?.getTime(),
      charge_id: q.charge_id,
      identifier: identifier === undefined ? undefined : `${identifier.kind}:${identifier.digest}`
    })
    const cursor = q.cursor === undefined ? undefined : cursors.unwrap(text, q.cursor)
    const rules = rulesById(opts.rules.current)

    if (q.charge_id !== undefined) {
      // one charge id, one decision: the page is the whole answer
      const record = await recordOfCharge(request.log, q.charge_id)
      return { decisions: record !== undefined && recordMatches(record, filters) ? [decisionSummary(record, rules)] : [] }
    }
    const limit = q.limit === undefined ? DEFAULT_PAGE_LIMIT : Number(q.limit)
    const page = await storeCall(request.log, 'a decision search', async () =>
      await store.search({ ...filters, limit, ...(cursor !== undefined ? { cursor } : {}) }))
    const decisions = page.records.map((record) => decisionSummary(record, rules))
    return page.next === undefined ? { decisions } : { decisions, next_cursor: cursors.wrap(text, page.next) }
  })

  fastify.get('/v1/decisions/by-charge/:charge_id', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: "The decision of a charge id (the merchant's, or a gateway charge id linked to it), as GET /v1/decisions/:decision_id answers it",
      tags: ['decisions'],
      security: [{ bearer: [] }],
      params: ChargeIdParamsSchema,
      response: { 200: DecisionRecordSchema, 404: ErrorResponseSchema, 503: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function decisionOfCharge (request) {
    const record = await recordOfCharge(request.log, request.params.charge_id)
    if (record === undefined) throw notFound()
    request.logFields = { decision_id: record.decision_id }
    return decisionDetail(record, rulesById(opts.rules.current), now())
  })
}
