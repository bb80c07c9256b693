import type { ScoreResponse } from '../schemas/decision.js'

/**
 * The 200 answer of POST /v1/score as JSON text: V8's own JSON.stringify of the scorer's answer.
 *
 * The route keeps ScoreResponseSchema as its response schema (the OpenAPI document, the other
 * status codes); only the 200 body skips the serializer Fastify compiles from it. That serializer
 * builds the text by appending piece after piece and walks the reasons' `values` and the velocity
 * counts as generic records: about 16 KB allocated per answer of the bench corpus, against 3.7 KB
 * for JSON.stringify of the same answer, and about a third more CPU (docs/performance.md).
 *
 * What makes the two the same text: the scorer builds every object of the answer field by field,
 * with the schema's fields only and numbers the schema allows (integers where it says integer).
 * test/routes/score-response.test.ts checks it on generated charges, first answers and retries:
 * every answer passes the schema with no additional property anywhere, and parses to what the
 * schema's serializer writes of it.
 */
export function serializeScoreResponse (answer: ScoreResponse): string {
  return JSON.stringify(answer)
}
