import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ChargeContextSchema } from '../schemas/charge.js'
import { ScoreResponseSchema } from '../schemas/decision.js'
import { ErrorResponseSchema, authErrorResponses } from '../schemas/error.js'
import { findCardData } from '../security/card-data.js'
import type { CardDataFinding } from '../security/card-data.js'
import { ErrorCode, RiskgateError } from '../errors.js'
import { Scope } from '../auth/api-keys.js'
import type { Scorer } from '../scoring/score-charge.js'
import type { ScoreMetrics } from '../plugins/metrics.js'
import { serializeScoreResponse } from './score-response.js'

export interface ScoreRouteOptions {
  scorer: Scorer
  metrics: ScoreMetrics
}

/** Why a field was refused; the path says which (never the value; card numbers in names are scrubbed). */
const CARD_DATA_MESSAGES: Record<CardDataFinding['reason'], string> = {
  card_field_name: 'field carries raw card data',
  card_number_in_identifier: 'value is a card number',
  card_number_in_field_name: 'field name holds a card number'
}

/** POST /v1/score: the charge context in, a decision with its reasons out. */
export const scoreRoutes: FastifyPluginAsyncTypebox<ScoreRouteOptions> = async function scoreRoutes (fastify, opts) {
  fastify.post('/v1/score', {
    config: { scope: Scope.SCORE },
    schema: {
      summary: 'Score a charge before creating it at the payment gateway',
      tags: ['scoring'],
      security: [{ bearer: [] }],
      body: ChargeContextSchema,
      response: {
        200: ScoreResponseSchema,
        400: ErrorResponseSchema,
        413: ErrorResponseSchema,
        415: ErrorResponseSchema,
        ...authErrorResponses
      }
    },
    // before schema validation: a card number is refused with the code that says to tokenize
    preValidation: function refuseCardData (request, _reply, done) {
      const findings = findCardData(request.body)
      if (findings.length > 0) {
        done(new RiskgateError(400, ErrorCode.CARD_DATA_NOT_ALLOWED,
          'card numbers and security codes are never accepted: tokenize the card at your gateway and send its fingerprint or token, with bin, last4 and country',
          findings.map((f) => ({ path: f.path, message: CARD_DATA_MESSAGES[f.reason] }))))
        return
      }
      done()
    }
  }, async function score (request, reply) {
    const result = await opts.scorer.score(request.body)
    opts.metrics.observeDecision(result)
    // on the request's one log line (src/plugins/request-log.ts)
    request.logFields = { decision_id: result.decision_id, decision: result.decision, replayed: result.replayed }
    // the 200 body as JSON.stringify writes it (score-response.ts says why and what keeps it exact)
    reply.type('application/json; charset=utf-8').serializer(serializeScoreResponse)
    return result
  })
}
