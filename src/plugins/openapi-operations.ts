/**
 * What the generated OpenAPI document needs beyond the routes' schemas: a stable `operationId` per
 * operation (generated clients name their methods by it), `security: []` on the public operations
 * (those without an API key), and the servers. Applied to the whole document once it is built.
 */

/** `<METHOD> <OpenAPI path>` -> operationId; a test checks that every documented operation has one */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  'GET /healthz': 'getHealth',
  'GET /readyz': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'POST /v1/score': 'scoreCharge',
  'POST /v1/decisions/{decision_id}/outcome': 'reportOutcome',
  'GET /v1/decisions/export': 'exportDecisions',
  'POST /v1/outcomes:batch': 'importOutcomes',
  'GET /v1/decisions': 'searchDecisions',
  'GET /v1/decisions/{decision_id}': 'getDecision',
  'GET /v1/decisions/by-charge/{charge_id}': 'getDecisionByCharge',
  'GET /v1/reviews': 'listReviews',
  'POST /v1/reviews/{decision_id}': 'closeReview',
  'GET /v1/overview': 'getOverview',
  'GET /v1/rules': 'getRules',
  'POST /v1/rules/reload': 'reloadRules',
  'GET /v1/rules/audit': 'getRuleAudit',
  'GET /v1/rules/challenger': 'getChallenger',
  'POST /v1/rules/challenger': 'stageChallenger',
  'DELETE /v1/rules/challenger': 'dropChallenger',
  'POST /v1/rules/challenger/promote': 'promoteChallenger',
  'GET /v1/rules/challenger/comparison': 'compareChallenger',
  'POST /v1/webhooks/omise': 'receiveOmiseWebhook',
  'POST /v1/webhooks/stripe': 'receiveStripeWebhook',
  'POST /v1/webhooks/midtrans': 'receiveMidtransNotification',
  'POST /v1/webhooks/adyen': 'receiveAdyenNotification',
  'GET /console/session': 'getConsoleSession',
  'POST /console/session': 'signInToConsole',
  'DELETE /console/session': 'signOutOfConsole'
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

interface Operation { operationId?: string, security?: unknown[] }
interface Document { paths?: Record<string, Partial<Record<string, Operation>>>, servers?: unknown[] }

/** Completes the document in place: operation ids, explicit security, servers. */
export function completeOpenApiDocument<D> (document: D): D {
  const doc = document as Document
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item?.[method]
      if (operation === undefined) continue
      const id = OPERATION_IDS[`${method.toUpperCase()} ${path}`]
      if (id !== undefined) operation.operationId = id
      // no API key: say so, rather than leave a reader to guess from the absence
      if (operation.security === undefined) operation.security = []
    }
  }
  doc.servers = [{ url: '/', description: 'this riskgate server (the document is served by the server it describes)' }]
  return document
}
