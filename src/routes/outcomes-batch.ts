import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestActor } from '../auth/actor.js'
import { Scope } from '../auth/api-keys.js'
import { DEFAULT_LOG_TTL_SECONDS } from '../decision-log/store.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { createOutcomeImporter, ImportRowStatus } from '../outcomes/import/importer.js'
import type { OutcomeImporter } from '../outcomes/import/importer.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import { BATCH_BODY_LIMIT, MAX_BATCH_ROWS, OutcomeBatchRequestSchema, OutcomeBatchResponseSchema } from '../schemas/outcome-import.js'
import type { OutcomeBatchResponse } from '../schemas/outcome-import.js'
import { createEventDedupe } from '../webhooks/event-dedupe.js'
import { addGatewayCounts, GATEWAY_EVENTS } from '../webhooks/gateway-metrics.js'

export interface OutcomeImportOptions {
  /** RISKGATE_HASH_KEY: claims of imported events are keyed hashes, and so is a generic row's own id */
  hashKey: string
  /** RISKGATE_DECISION_LOG_TTL_SECONDS: an event stays claimed as long as its decision can be kept */
  ttlSeconds?: number
  /** Redis key prefix of the claims (tests) */
  keyPrefix?: string
  /** imported rows held in the outbox at most (tests) */
  maxHeld?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** outcomes imported in bulk (held rows wait in the outbox: flush it to wait for them) */
    outcomeImport: OutcomeImporter
  }
}

const batchRoute: FastifyPluginAsyncTypebox<{ importer: OutcomeImporter }> = async function batchRoute (fastify, opts) {
  fastify.post('/v1/outcomes::batch', {
    bodyLimit: BATCH_BODY_LIMIT,
    config: { scope: Scope.ANALYST },
    schema: {
      summary: 'Import outcomes in bulk: a gateway\'s disputes or refunds export, or riskgate\'s generic rows',
      description: `Scope analyst. Each row is validated and answered on its own (one refused row refuses nothing else): applied, kept, duplicate, held or refused with a stable code. Each dispute, refund or generic row is applied once (importing the same rows again answers duplicate). At most ${MAX_BATCH_ROWS} rows (400 too_many_rows) and 2 MiB (413 body_too_large) per request. \`riskgate outcomes import\` reads a file and sends it in requests of 500 rows.`,
      tags: ['decisions'],
      security: [{ bearer: [] }],
      body: OutcomeBatchRequestSchema,
      response: { 200: OutcomeBatchResponseSchema, 400: ErrorResponseSchema, 413: ErrorResponseSchema, 415: ErrorResponseSchema, 503: ErrorResponseSchema, ...authErrorResponses }
    }
  }, async function importOutcomes (request): Promise<OutcomeBatchResponse> {
    const { format, rows } = request.body
    if (rows.length > MAX_BATCH_ROWS) {
      throw new RiskgateError(400, ErrorCode.TOO_MANY_ROWS, `at most ${MAX_BATCH_ROWS} rows per request: send them in several`)
    }
    const actor = requestActor(request)
    let results
    try {
      results = await opts.importer.importRows(format, rows, actor)
    } catch (err) {
      // the event store could not claim a row: what came before it is applied (a resend answers duplicate)
      request.log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'outcome import: event store unavailable')
      throw new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE, 'the rows cannot be recorded now: send them again later (rows already applied answer duplicate)')
    }
    const counts = Object.fromEntries(Object.values(ImportRowStatus).map((s) => [s, 0])) as OutcomeBatchResponse['counts']
    for (const r of results) counts[r.status]++
    request.log.info({ format, rows: rows.length, ...counts }, 'outcomes imported')
    return { results, counts }
  })
}

/**
 * POST /v1/outcomes:batch (scope `analyst`): outcomes imported in bulk, each dispute, refund or
 * row claimed once like a webhook event (src/webhooks/event-dedupe.ts, source `import`), held
 * through the webhooks' outbox kind while its decision is not recorded. Counted in
 * riskgate_webhook_events_total{gateway="import"} and riskgate_outcome_import_rows_total.
 */
export const outcomeImportPlugin = fp(async function outcomeImport (fastify, opts: OutcomeImportOptions) {
  const dedupe = createEventDedupe({
    redis: fastify.redis,
    hashKey: opts.hashKey,
    source: 'import',
    ttlSeconds: opts.ttlSeconds ?? DEFAULT_LOG_TTL_SECONDS,
    ...(opts.keyPrefix !== undefined ? { keyPrefix: opts.keyPrefix } : {})
  })
  const importer = createOutcomeImporter({
    store: fastify.decisionLog.store,
    dedupe,
    outbox: fastify.outbox,
    log: fastify.log,
    hashKey: opts.hashKey,
    ...(opts.maxHeld !== undefined ? { maxHeld: opts.maxHeld } : {})
  })
  fastify.decorate('outcomeImport', importer)
  addGatewayCounts(fastify.metricsRegistry, GATEWAY_EVENTS, 'import', () => ({ ...importer.stats() }))
  fastify.metricsRegistry.registerMetric(new Counter({
    name: 'riskgate_outcome_import_rows_total',
    help: 'Rows of outcome imports (POST /v1/outcomes:batch) by format and status: applied, kept (a stronger outcome stays), duplicate (imported before), held (no recorded decision yet), refused',
    labelNames: ['format', 'status'] as const,
    registers: [],
    collect () {
      this.reset()
      for (const { format, status, n } of importer.rowCounts()) this.inc({ format, status }, n)
    }
  }))
  await fastify.register(batchRoute, { importer })
}, { name: 'outcome-import', fastify: '5.x', dependencies: ['redis', 'decision-log', 'outbox', 'metrics'] })
