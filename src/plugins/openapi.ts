import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { completeOpenApiDocument } from './openapi-operations.js'

export interface OpenApiOptions {
  version: string
}

/**
 * GET /docs: the OpenAPI document generated from the routes' TypeBox schemas (the single source of
 * truth), with a browsable UI; GET /docs/json is the raw document.
 */
export const openApiPlugin = fp(async function openApi (fastify, opts: OpenApiOptions) {
  await fastify.register(swagger, {
    // named schemas (a TypeBox `$id`: ErrorResponse, DecisionSummary...) are components of that name
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    },
    transformObject: (documentObject) => completeOpenApiDocument('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'riskgate',
        description: 'Fraud-risk scoring before a card charge: score, decision and reasons.',
        version: opts.version
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key secret (RISKGATE_API_KEYS)' } }
      }
    }
  })
  await fastify.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' })
}, { name: 'openapi', fastify: '5.x' })
