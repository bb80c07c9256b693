import Fastify, { LogController } from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AppConfig } from './config/app-config.js'
import type { DecisionRecord } from './decision-log/record.js'
import { loggerOptions } from './logger.js'
import { errorHandlerPlugin, errorShapeServerOptions } from './plugins/error-handler.js'
import { requestLogPlugin } from './plugins/request-log.js'
import { openApiPlugin } from './plugins/openapi.js'
import { metricsPlugin } from './plugins/metrics.js'
import { httpMetricsPlugin } from './plugins/http-metrics.js'
import { authPlugin } from './plugins/auth.js'
import { redisPlugin } from './plugins/redis.js'
import { velocityPlugin } from './plugins/velocity.js'
import { ipIntelPlugin } from './plugins/ip-intel.js'
import { dataMetricsPlugin } from './plugins/data-metrics.js'
import { rulesPlugin } from './plugins/rules.js'
import { scoringPlugin } from './plugins/scoring.js'
import { decisionLogPlugin } from './plugins/decision-log.js'
import { outboxPlugin } from './outbox/plugin.js'
import { merchantWebhookPlugin } from './merchant-webhooks/plugin.js'
import type { MerchantWebhookPluginOptions } from './merchant-webhooks/plugin.js'
import { healthRoutes } from './routes/health.js'
import { scoreRoutes } from './routes/score.js'
import { decisionRoutes } from './routes/decisions.js'
import { omiseWebhookPlugin } from './routes/webhooks-omise.js'
import { stripeWebhookPlugin } from './routes/webhooks-stripe.js'
import { midtransWebhookPlugin } from './routes/webhooks-midtrans.js'
import { adyenWebhookPlugin } from './routes/webhooks-adyen.js'
import { outcomeImportPlugin } from './routes/outcomes-batch.js'
import { ruleReloadPlugin } from './plugins/rule-reload.js'
import { ruleRoutes } from './routes/rules.js'
import { challengerPlugin } from './plugins/challenger.js'
import { challengerControlPlugin } from './plugins/challenger-control.js'
import { challengerRoutes } from './routes/challenger.js'
import type { ChallengerChange } from './rollout/challenger-changes.js'
import { reviewRoutes } from './routes/reviews.js'
import { decisionSearchRoutes } from './routes/decision-search.js'
import { overviewRoutes } from './routes/overview.js'
import { createCursors } from './search/cursor.js'
import { consolePlugin } from './console/plugin.js'
import { consoleSessionKeyOf } from './console/session-key.js'
import { loadSheddingPlugin } from './plugins/load-shedding.js'
import { tlsPlugin } from './plugins/tls.js'
import { httpsServerOptions, readTlsMaterial } from './tls/tls-options.js'
import { certificateKeyFinder, clientCertificateOf } from './tls/client-certificate.js'

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/

export interface BuildOptions {
  /** where logs go (default stdout); tests read them to prove what is never logged */
  logStream?: { write: (line: string) => void }
  /** told of each rule reload that put a new set live (server.ts: the other workers follow it) */
  onRulesApplied?: (actor: string) => void
  /** told of each challenger change that took effect (server.ts: the other workers follow it) */
  onChallengerChanged?: (actor: string, change: ChallengerChange) => void
  /** merchant webhooks' timing and Redis key prefix (tests); the URL and secret come from the configuration */
  merchantWebhooks?: Omit<MerchantWebhookPluginOptions, 'merchantWebhook'>
}

/**
 * Builds the whole service from a validated configuration; listens nowhere (server.ts does). With
 * `config.tls` the server is HTTPS: its files are read and checked here (Fastify needs them at
 * construction), and a file that cannot be served fails the build.
 */
export async function buildApp (config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = loggerOptions(config.logLevel)
  const tls = config.tls === undefined ? undefined : { config: config.tls, material: await readTlsMaterial(config.tls) }
  const app = Fastify({
    ...(tls === undefined ? {} : { https: httpsServerOptions(tls.config, tls.material) }),
    logger: options.logStream === undefined ? logger : { ...logger, stream: options.logStream },
    bodyLimit: 16 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const id = req.headers['x-request-id']
      return typeof id === 'string' && REQUEST_ID.test(id) ? id : crypto.randomUUID()
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, useDefaults: false } },
    // Fastify's and Node's own answers (bad URL, long parameter, malformed request, closing) in the one error shape
    ...errorShapeServerOptions,
    // one line per request instead, from the request-log plugin
    logController: new LogController({ disableRequestLogging: true })
  }).withTypeProvider<TypeBoxTypeProvider>()

  // mutual TLS: whether the client presented a valid certificate, read only by a request that asks
  app.decorateRequest('clientCertificate', {
    getter () { return clientCertificateOf(this.raw.socket) }
  })

  // JSON only: a text/plain body is refused with 415 rather than parsed into a string
  app.removeContentTypeParser('text/plain')

  // callback-style hooks on the request path: no promise per request
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    done(null, payload)
  })

  // a start-up that fails closes what the plugins opened so far (Redis clients, timers)
  try {
    await app.register(requestLogPlugin)
    await app.register(errorHandlerPlugin)
    await app.register(openApiPlugin, { version: '1' })
    await app.register(metricsPlugin)
    await app.register(httpMetricsPlugin)
    if (tls !== undefined) await app.register(tlsPlugin, tls)
    // before authentication: a shed request costs as little as it can
    await app.register(loadSheddingPlugin, { config: config.shedding })
    // the console before auth: its session reader is what lets a signed-in analyst call /v1
    await app.register(consolePlugin, { keys: config.apiKeys, sessionKey: consoleSessionKeyOf(config) })
    const certificateKeys = config.tls?.client?.keys ?? []
    await app.register(authPlugin, {
      apiKeys: config.apiKeys,
      ...(app.consoleSessions !== null ? { sessions: app.consoleSessions } : {}),
      ...(certificateKeys.length > 0 ? { certificateKey: certificateKeyFinder(certificateKeys, config.apiKeys) } : {})
    })
    await app.register(redisPlugin, config.redis)
    await app.register(outboxPlugin)
    await app.register(velocityPlugin)
    await app.register(ipIntelPlugin, config.data)
    await app.register(dataMetricsPlugin)
    await app.register(rulesPlugin, { rulesDir: config.rulesDir })
    await app.register(challengerPlugin, config.challenger !== undefined ? { challenger: config.challenger } : {})
    await app.register(decisionLogPlugin, { hashKey: config.hashKey, ...config.decisionLog })
    await app.register(merchantWebhookPlugin, {
      ...(config.merchantWebhook !== undefined ? { merchantWebhook: config.merchantWebhook } : {}),
      ...options.merchantWebhooks
    })
    await app.register(scoringPlugin, { hashKey: config.hashKey, deadlineMs: config.deadlineMs })
    await app.register(healthRoutes, { readiness: () => app.readiness(), shedding: app.loadShedding })
    await app.register(scoreRoutes, { scorer: app.scorer, metrics: app.metrics })
    const waitingRecord = (id: string): DecisionRecord | undefined => {
      const key = app.decisionLog.store.keys.ofDecisionId(id)
      const entry = key === undefined ? undefined : app.decisionLog.recorder.pending(key.field)
      return entry === undefined ? undefined : app.decisionLog.decode(entry)
    }
    const cursors = createCursors(config.hashKey)
    await app.register(decisionRoutes, { store: app.decisionLog.store, outbox: app.outbox, waitingRecord, rules: app.rules })
    await app.register(decisionSearchRoutes, { store: app.decisionLog.store, rules: app.rules, cursors, digestOf: app.decisionLog.digestOf, waitingRecord })
    await app.register(reviewRoutes, {
      store: app.decisionLog.store,
      rules: app.rules,
      cursors,
      waitingRecord,
      // review.closed to the merchant's backend, once the close is stored
      onReviewClosed: (event) => { app.merchantWebhooks.reviewClosed(event) }
    })
    await app.register(overviewRoutes, { store: app.decisionLog.store })
    await app.register(omiseWebhookPlugin, { secrets: config.omiseWebhookSecrets, hashKey: config.hashKey })
    await app.register(stripeWebhookPlugin, { secrets: config.stripeWebhookSecrets ?? [], hashKey: config.hashKey })
    await app.register(midtransWebhookPlugin, { serverKeys: config.midtransServerKeys ?? [], hashKey: config.hashKey })
    await app.register(adyenWebhookPlugin, { adyen: config.adyenWebhook, hashKey: config.hashKey })
    // after the webhooks too: it adds its counts (gateway="import") to riskgate_webhook_events_total
    await app.register(outcomeImportPlugin, { hashKey: config.hashKey, ...(config.decisionLog?.ttlSeconds !== undefined ? { ttlSeconds: config.decisionLog.ttlSeconds } : {}) })
    await app.register(ruleReloadPlugin, options.onRulesApplied !== undefined ? { onApplied: options.onRulesApplied } : {})
    await app.register(ruleRoutes, { rules: app.rules, audit: app.rulesAudit, reload: app.reloadRules })
    await app.register(challengerControlPlugin, options.onChallengerChanged !== undefined ? { onChanged: options.onChallengerChanged } : {})
    await app.register(challengerRoutes, {
      slot: app.challenger,
      live: app.rules,
      changes: app.challengerChanges,
      ...(config.challenger !== undefined ? { defaultRulesDir: config.challenger.rulesDir } : {}),
      store: app.decisionLog.store
    })
    await app.ready()
  } catch (err) {
    await app.close().catch(() => undefined)
    throw err
  }
  return app
}
