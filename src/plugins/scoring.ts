import fp from 'fastify-plugin'
import { pingRedis } from '../redis/client.js'
import { loadDisposableDomains } from '../signals/email.js'
import { createScorer } from '../scoring/score-charge.js'
import type { Scorer } from '../scoring/score-charge.js'
import { ruleSetView } from '../scoring/rule-set-view.js'
import type { Readiness } from '../schemas/health.js'
import { dataVersions } from '../scoring/data-versions.js'

export interface ScoringOptions {
  deadlineMs: number
  decisionTtlSeconds: number
}

declare module 'fastify' {
  interface FastifyInstance {
    scorer: Scorer
    /** what /readyz reports: rules, data and store, now */
    readiness: () => Promise<Readiness>
  }
}

/**
 * Wires the request path: IP intelligence, the live rule set, the velocity and decision stores
 * into one scorer. The rule set is read once per request (a reload never mixes two sets).
 */
export const scoringPlugin = fp(async function scoring (fastify, opts: ScoringOptions) {
  const disposable = loadDisposableDomains()
  const scorer = createScorer({
    lookupIp: (ip) => fastify.ipIntel.lookup(ip),
    dataVersions: () => dataVersions(fastify.ipIntel.sources),
    disposable,
    ruleSet: () => ruleSetView(fastify.rules.current),
    recordVelocity: ({ chargeId, atMs, plan }) => fastify.velocityStore.record({ chargeId, atMs, plan }),
    decisions: fastify.decisionStore,
    deadlineMs: opts.deadlineMs,
    decisionTtlSeconds: opts.decisionTtlSeconds,
    log: fastify.log,
    onDecision: (response, features) => { fastify.decisionLog.recorder.record(response, features) }
  })
  fastify.decorate('scorer', scorer)

  fastify.decorate('readiness', async function readiness (): Promise<Readiness> {
    const ruleSet = fastify.rules.current
    const redis = fastify.redis
    const reachable = redis === null ? true : (await pingRedis(redis)).ok
    const degraded = reachable ? [] : ['velocity', 'idempotency']
    return {
      status: degraded.length === 0 ? 'ready' : 'degraded',
      rules: {
        version: ruleSet.version,
        hash: ruleSet.hash,
        rules: ruleSet.rules.length,
        loaded_at: fastify.rules.loadedAt.toISOString()
      },
      data: fastify.ipDataStatus(),
      store: {
        kind: redis === null ? 'in-process' : 'isCluster' in redis && redis.isCluster ? 'redis-cluster' : 'redis',
        reachable
      },
      degraded
    }
  })
}, { name: 'scoring', fastify: '5.x', dependencies: ['ip-intel', 'rules', 'velocity', 'decision-log'] })
