import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { FastifyUnderPressureOptions } from '@fastify/under-pressure'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Counter, Gauge } from 'prom-client'
import { ErrorCode, RiskgateError } from '../errors.js'
import { createShedGate, shedShare } from '../load-shedding/shed-policy.js'

/** When riskgate sheds requests (RISKGATE_SHED_*): each limit at 0 is not checked. */
export interface SheddingConfig {
  /** mean event loop delay over a sample, ms */
  maxEventLoopDelayMs: number
  /** V8 heap in use, bytes */
  maxHeapUsedBytes: number
  /** share of the time the event loop was busy over a sample, 0-1 */
  maxEventLoopUtilization: number
  /** the Retry-After of a shed request's 503, s */
  retryAfterSeconds: number
  /** how often the measures are taken, ms (default DEFAULT_SAMPLE_INTERVAL_MS) */
  sampleIntervalMs?: number
}

export interface LoadSheddingOptions {
  /** absent: never shed */
  config: SheddingConfig | undefined
  /** routes answered under pressure too: the probes and metrics that show the pressure */
  exempt?: readonly string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    loadShedding: {
      /** true while requests are shed (GET /readyz answers 503 then) */
      active: () => boolean
      retryAfterSeconds: number
    }
  }
}

export const DEFAULT_SAMPLE_INTERVAL_MS = 1000
export const SHED_EXEMPT_ROUTES = ['/healthz', '/readyz', '/metrics'] as const

/** The reason label of riskgate_shed_requests_total, by under-pressure's name of the limit passed. */
const REASON: Readonly<Record<string, string>> = {
  [underPressure.TYPE_EVENT_LOOP_DELAY]: 'event_loop_delay',
  [underPressure.TYPE_HEAP_USED_BYTES]: 'heap_used',
  [underPressure.TYPE_EVENT_LOOP_UTILIZATION]: 'event_loop_utilization',
  [underPressure.TYPE_RSS_BYTES]: 'rss',
  [underPressure.TYPE_HEALTH_CHECK]: 'health_check'
}

/**
 * Load shedding with @fastify/under-pressure: while the event loop is late, the heap near its
 * limit or the loop busy past a share (each measured every sample interval), requests are
 * answered at once with 503 `service_unavailable` and `Retry-After`, before authentication or any
 * work, so that the requests still taken are answered in time and a load balancer sends the rest
 * elsewhere: a share of them that grows with how far the measure is past its limit
 * (src/load-shedding/shed-policy.ts), every one past the heap limit. /healthz (alive) and
 * /metrics keep answering; /readyz answers 503 while a limit is passed.
 */
export const loadSheddingPlugin = fp(async function loadShedding (fastify, opts: LoadSheddingOptions) {
  const config = opts.config
  const enabled = config !== undefined && (config.maxEventLoopDelayMs > 0 || config.maxHeapUsedBytes > 0 || config.maxEventLoopUtilization > 0)
  const retryAfterSeconds = config?.retryAfterSeconds ?? 1

  const shed = new Map<string, number>()
  fastify.metricsRegistry.registerMetric(new Counter({
    name: 'riskgate_shed_requests_total',
    help: 'Requests answered 503 by load shedding, by the limit that was passed',
    labelNames: ['reason'],
    registers: [],
    collect () {
      this.reset()
      for (const [reason, n] of shed) this.inc({ reason }, n)
    }
  }))
  const active = enabled ? () => fastify.isUnderPressure() : () => false
  fastify.metricsRegistry.registerMetric(new Gauge({
    name: 'riskgate_shedding',
    help: '1 while riskgate sheds requests (load shedding), else 0',
    registers: [],
    collect () { this.set(active() ? 1 : 0) }
  }))
  fastify.decorate('loadShedding', { active, retryAfterSeconds })
  if (!enabled) return

  const exempt = new Set<string>(opts.exempt ?? SHED_EXEMPT_ROUTES)
  const limits = config
  const retryAfter = String(retryAfterSeconds)
  // one error for every shed request: no stack captured per refusal
  const overloaded = new RiskgateError(503, ErrorCode.SERVICE_UNAVAILABLE,
    `riskgate is overloaded: retry after ${retryAfter} s, on another instance if there is one`)
  const gate = createShedGate()
  // under-pressure lets the request through when this returns undefined, and answers with what it returns otherwise
  function refuse (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined): RiskgateError | undefined {
    const route = request.routeOptions.url
    if (route !== undefined && exempt.has(route)) return undefined
    const heapUsed = fastify.memoryUsage().heapUsed
    if (!gate(shedShare(limits, type, value, heapUsed))) return undefined
    // the heap first: past its limit every request is shed, whichever limit under-pressure names
    const reason = limits.maxHeapUsedBytes > 0 && heapUsed > limits.maxHeapUsedBytes ? 'heap_used' : REASON[type] ?? type
    shed.set(reason, (shed.get(reason) ?? 0) + 1)
    reply.header('retry-after', retryAfter)
    return overloaded
  }
  await fastify.register(underPressure, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes: config.maxHeapUsedBytes,
    maxEventLoopUtilization: config.maxEventLoopUtilization,
    eventLoopUtilizationMode: 'interval',
    sampleInterval: config.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS,
    retryAfter: retryAfterSeconds,
    // its types say void, its code sends what the handler returns (an error: riskgate's error shape)
    pressureHandler: refuse as unknown as FastifyUnderPressureOptions['pressureHandler']
  })
}, { name: 'load-shedding', fastify: '5.x', dependencies: ['metrics'] })
