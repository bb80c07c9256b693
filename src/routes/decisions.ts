import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Scope } from '../auth/api-keys.js'
import type { DecisionRecord } from '../decision-log/record.js'
import type { DecisionRecorder } from '../decision-log/recorder.js'
import type { DecisionLogStore, LogRange } from '../decision-log/store.js'
import { parseLogRange } from '../decision-log/range.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { reportOutcome } from '../outcomes/report-outcome.js'
import { DecisionIdParamsSchema, DecisionRecordSchema, ExportQuerySchema, OutcomeRequestSchema, OutcomeResponseSchema } from '../schemas/decision-log.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'

export interface DecisionRouteOptions {
  store: DecisionLogStore
  /** an outcome reported right after its decision may race the background write: flush, then look again */
  recorder: Pick<DecisionRecorder, 'flush'>
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
 * The decision log over HTTP: report an outcome (scope `score`, the merchant's backend), read a
 * decision and export the log (scope `analyst`).
 */
export const decisionRoutes: FastifyPluginAsyncTypebox<DecisionRouteOptions> = async function decisionRoutes (fastify, opts) {
  const { store, recorder } = opts

  fastify.post('/v1/decisions/:decision_id/outcome', {
    config: { scope: Scope.SCORE },
    schema: {
      summary: 'Report what really happened to a scored charge',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      params: DecisionIdParamsSchema,
      body: OutcomeRequestSchema,
      response: { 200: OutcomeResponseSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema, 415: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function outcome (request) {
    const id = request.params.decision_id
    const report = { label: request.body.label, source: 'api' as const, ...(request.body.note !== undefined ? { note: request.body.note } : {}) }
    let result = await reportOutcome(store, id, report)
    if (result.status === 'unknown') {
      await recorder.flush()
      result = await reportOutcome(store, id, report)
    }
    if (result.status === 'unknown') throw notFound()
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
      summary: 'A recorded decision: the features it was decided on (identifiers hashed), the rules that fired, its latest outcome',
      tags: ['decisions'],
      security: [{ bearer: [] }],
      params: DecisionIdParamsSchema,
      response: { 200: DecisionRecordSchema, 400: ErrorResponseSchema, 404: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function getDecision (request) {
    let record = await store.get(request.params.decision_id)
    if (record === undefined) {
      await recorder.flush()
      record = await store.get(request.params.decision_id)
    }
    if (record === undefined) throw notFound()
    return record
  })
}
