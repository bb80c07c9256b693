import fp from 'fastify-plugin'
import { DEFAULT_PENDING_MS } from '../decision-log/store.js'
import { DecisionLogFormat } from '../decision-log/format.js'
import { createBodyFingerprint, EARLIER_FINGERPRINT_LENGTH, FINGERPRINT_LENGTH, shapeOf } from '../idempotency/fingerprint.js'
import { ChargeContextSchema } from '../schemas/charge.js'
import { memoryReservations, redisReservations } from '../idempotency/reservations.js'
import { pingRedis } from '../redis/client.js'
import { loadDisposableDomains } from '../signals/email.js'
import { createDeviceSignals } from '../signals/device/device-signals.js'
import { createCityIndex } from '../signals/geo/city-index.js'
import { createScorer } from '../scoring/score-charge.js'
import type { Scorer } from '../scoring/score-charge.js'
import { createRuleSetHistory, ruleSetView } from '../scoring/rule-set-view.js'
import type { Readiness } from '../schemas/health.js'
import { sharedDataVersions } from '../scoring/data-versions.js'
import { challengerView } from '../rollout/challenger-view.js'
import type { MemoryDecisionLog } from '../decision-log/memory-store.js'
import type { RedisDecisionLog } from '../decision-log/redis-store.js'
import type { MemoryVelocityStore } from '../velocity/memory-store.js'

const STORE_KIND = { none: 'in-process', standalone: 'redis', cluster: 'redis-cluster', sentinel: 'redis-sentinel' } as const

export interface ScoringOptions {
  /** RISKGATE_HASH_KEY (the body fingerprints) */
  hashKey: string
  deadlineMs: number
  /** how long a reservation holds without its record (tests) */
  pendingMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    scorer: Scorer
    /** what /readyz reports: rules, data and store, now */
    readiness: () => Promise<Readiness>
  }
}

/**
 * Wires the request path: IP intelligence, the live rule set, velocity and the decision log
 * (reservations and records) into one scorer. The rule set is read once per request (a reload
 * never mixes two sets).
 */
export const scoringPlugin = fp(async function scoring (fastify, opts: ScoringOptions) {
  const disposable = loadDisposableDomains()
  const cities = createCityIndex({
    onError: (err) => { fastify.log.error({ err: err instanceof Error ? err.message : String(err) }, 'cities table not loaded: ip_billing_distance_km stays unknown') }
  })
  // with a City database the table is wanted from the first charge: loaded before the service is
  // ready; otherwise only if a database with locations is swapped in later (in the background)
  if (fastify.ipIntel.locates) {
    const started = performance.now()
    const loaded = await cities.load().catch(() => undefined)
    if (loaded !== undefined) fastify.log.info({ places: loaded.size, ms: Math.round(performance.now() - started) }, 'cities table loaded')
  }
  const history = createRuleSetHistory()
  const log = fastify.decisionLog
  const reservations = fastify.redis === null
    ? memoryReservations(log.store as MemoryDecisionLog, fastify.velocityStore as MemoryVelocityStore)
    : redisReservations({ redis: fastify.redis, log: log.store as RedisDecisionLog, velocity: fastify.velocityStore })
  const scorer = createScorer({
    lookupIp: (ip) => fastify.ipIntel.lookupWithLocation(ip),
    dataVersions: () => sharedDataVersions(fastify.ipIntel.sources),
    disposable,
    device: createDeviceSignals(),
    cities: cities.get,
    ruleSet: () => history.remember(ruleSetView(fastify.rules.current)),
    // read in the same turn as the live set; nothing at all when no challenger is staged
    challenger: () => {
      const staged = fastify.challenger.current
      if (staged === undefined) return undefined
      const view = challengerView(fastify.rules.current, staged)
      history.remember(view.view)
      return view
    },
    ruleSetByHash: history.byHash,
    keys: log.store.keys,
    fingerprint: createBodyFingerprint(opts.hashKey, shapeOf(ChargeContextSchema), log.format === DecisionLogFormat.EARLIER ? EARLIER_FINGERPRINT_LENGTH : FINGERPRINT_LENGTH),
    format: log.format,
    digestOf: log.digestOf,
    reservations,
    decisions: { record: log.recorder.record, pending: log.recorder.pending, decode: log.decode },
    observeStoreCall: fastify.metrics.observeStoreCall,
    deadlineMs: opts.deadlineMs,
    pendingMs: opts.pendingMs ?? DEFAULT_PENDING_MS,
    log: fastify.log
  })
  fastify.decorate('scorer', scorer)

  fastify.decorate('readiness', async function readiness (): Promise<Readiness> {
    const ruleSet = fastify.rules.current
    const ping = async (client: typeof fastify.redis): Promise<boolean> => client === null ? true : (await pingRedis(client)).ok
    const [reachable, writerReachable] = await Promise.all([ping(fastify.redis), ping(fastify.redisWriter)])
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
        kind: STORE_KIND[fastify.redisMode ?? 'none'],
        reachable,
        writer_reachable: writerReachable
      },
      degraded
    }
  })
}, { name: 'scoring', fastify: '5.x', dependencies: ['metrics', 'ip-intel', 'rules', 'challenger', 'velocity', 'decision-log'] })
