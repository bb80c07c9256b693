import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestActor } from '../auth/actor.js'
import { Scope } from '../auth/api-keys.js'
import type { DecisionRecord } from '../decision-log/record.js'
import type { DecisionLogStore, LogRange } from '../decision-log/store.js'
import { closesReview } from '../decision-log/store.js'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { parseLogRange } from '../decision-log/range.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { defineOutcomeWrites } from '../outcomes/outcome-writes.js'
import { reportOutcome } from '../outcomes/report-outcome.js'
import type { OutcomeReport } from '../outcomes/report-outcome.js'
import type { Outbox } from '../outbox/outbox.js'
import { decisionDetail } from '../reviews/decision-detail.js'
import { rulesById } from '../reviews/live-rules.js'
import { DecisionIdParamsSchema, DecisionRecordSchema, ExportQuerySchema, OutcomeAcceptedSchema, OutcomeRequestSchema, OutcomeResponseSchema } from '../schemas/decision-log.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'

export interface DecisionRouteOptions {
  store: DecisionLogStore
  /** outcomes that cannot be written at once are queued there */
  outbox: Outbox
  /** the record of a decision of this process that still waits in the outbox */
  waitingRecord: (decisionId: string) => DecisionRecord | undefined
  /** the live rule set: the reasons of a recorded decision are described and valued by it */
  rules: { readonly current: CompiledRuleSet }
  now?: () => number
}

export const NDJSON = 'application/x-ndjson'

function notFound (): RiskgateError {
  return new RiskgateError(404, ErrorCode.DECISION_NOT_FOUND,
    'no decision with this id is kept (unknown, or older than the decision log keeps)')
}

/** `from`/`to` of an export: ISO 8601 dates or times, else a 400. */
function rangeOf (query: { from?: string, to?: string }): LogRange {
  const parsed = parseLogRange(query)
  if (!parsed.ok) {
    throw new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'the request does not match the schema',
      [{ path: `/${parsed.bound}`, message: 'must be an ISO 8601 date or time (2026-11-21 or 2026-11-21T10:00:00Z)' }])
  }
  return parsed.range
}

/** The records of a scan as NDJSON lines, one record a line. */
export function ndjsonLines (records: AsyncIterable<DecisionRecord>): Readable {
  return Readable.from((async function * () {
    for await (const record of records) yield JSON.stringify(record) + '\n'
  })(), { objectMode: false })
}

/**
 * The decision log over HTTP: report an outcome (scope `score`, the merchant's backend, or
 * `analyst`), read a decision and export the log (scope `analyst`).
 */
export const decisionRoutes: FastifyPluginAsyncTypebox<DecisionRouteOptions> = async function decisionRoutes (fastify, opts) {
  const { store } = opts
  const now = opts.now ?? Date.now

  const queueOutcome = defineOutcomeWrites(opts.outbox, store)

  fastify.post('/v1/decisions/:decision_id/outcome', {
    config: { scope: [Scope.SCORE, Scope.ANALYST] },
    schema: {
      summary: 'Report what really happened to a scored charge',
      description: 'Scope score or analyst. Answers 200 with the outcome as stored (with the reporting key as its actor); 202 when the store cannot take it right now (it is queued and written as soon as it can be). review_approved and review_rejected are recorded by closing the review (POST /v1/reviews/:decision_id), not here: 400.',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      params: DecisionIdParamsSchema,
      body: OutcomeRequestSchema,
      response: { 200: OutcomeResponseSchema, 202: OutcomeAcceptedSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema, 415: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function outcome (request, reply) {
    const id = request.params.decision_id
    if (store.keys.ofDecisionId(id) === undefined) throw notFound()
    if (closesReview(request.body.label)) {
      // a review is closed only by its close (one close, the first standing, and the merchant's webhook)
      throw new RiskgateError(400, ErrorCode.VALIDATION_FAILED, 'review_approved and review_rejected are recorded by closing the review: POST /v1/reviews/:decision_id',
        [{ path: '/label', message: 'close the review instead: POST /v1/reviews/:decision_id' }])
    }
    const report: OutcomeReport = {
      label: request.body.label,
      source: 'api',
      actor: requestActor(request),
      at: new Date(now()).toISOString(),
      ...(request.body.note !== undefined ? { note: request.body.note } : {})
    }
    let result
    try {
      result = await reportOutcome(store, id, report)
    } catch (err) {
      // the store is unavailable: the outcome is written through the outbox as soon as it can be
      request.log.warn({ err: { type: (err as Error).name, message: (err as Error).message }, decision_id: id }, 'outcome queued: the store is unavailable')
      if (!queueOutcome({ decisionId: id, report })) throw new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, 'the outcome cannot be recorded now: retry later')
      return await reply.code(202).send({ decision_id: id, queued: true as const })
    }
    if (result.status === 'unknown') {
      // decided here a moment ago, recorded as soon as the outbox writes it: the outcome follows it
      if (opts.waitingRecord(id) === undefined || !queueOutcome({ decisionId: id, report })) throw notFound()
      return await reply.code(202).send({ decision_id: id, queued: true as const })
    }
    request.log.info({ decision_id: id, label: result.outcome.label }, 'outcome reported')
    return { decision_id: id, outcome: result.outcome }
  })

  fastify.get('/v1/decisions/export', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'Every recorded decision with its latest outcome, as NDJSON (one record a line, oldest first)',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      querystring: ExportQuerySchema,
      produces: [NDJSON],
      response: {
        200: { description: 'NDJSON: one decision record a line', content: { [NDJSON]: { schema: Type.String() } } },
        400: ErrorResponseSchema,
        ...authErrorResponses
      }
    }
  }, async function exportDecisions (request, reply) {
    const range = rangeOf(request.query)
    const lines = ndjsonLines(store.scan(range))
    lines.on('error', (err) => { request.log.error({ err: { type: err.name, message: err.message } }, 'decision export failed mid-stream') })
    reply.type(NDJSON)
    // a stream is sent as it is, never serialized (the 200 schema documents its lines)
    return await reply.send(lines as never)
  })

  fastify.get('/v1/decisions/:decision_id', {
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'A recorded decision: the features it was decided on (identifiers hashed), the rules that fired with the values they read, its outcomes and its review',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      params: DecisionIdParamsSchema,
      response: { 200: DecisionRecordSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function getDecision (request) {
    // decided here a moment ago, its record on its way: shown as it will be recorded
    const record = await store.get(request.params.decision_id) ?? opts.waitingRecord(request.params.decision_id)
    if (record === undefined) throw notFound()
    return decisionDetail(record, rulesById(opts.rules.current), now())
  })
}
