import type { FastifyInstance } from 'fastify'
import { ErrorCode, RiskgateError } from '../errors.js'

/**
 * In the calling plugin's encapsulated scope only: JSON bodies are kept as the raw bytes (a
 * signature is computed over them; the route parses them itself, so a bad body is counted and
 * answered as a refusal), at most `bodyLimit` bytes.
 */
export function keepRawJsonBody (fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    done(null, body)
  })
}

/** The body keepRawJsonBody kept; anything else (no body at all) is a 400 `invalid_json`. */
export function rawBodyOf (body: unknown): Buffer {
  if (!Buffer.isBuffer(body)) throw new RiskgateError(400, ErrorCode.INVALID_JSON, 'the request body is not valid JSON')
  return body
}
