import type { FastifyInstance } from 'fastify'

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
