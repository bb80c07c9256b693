import { getHeapStatistics } from 'node:v8'
import type { Env } from './env-schema.js'
import type { SheddingConfig } from '../plugins/load-shedding.js'

/** The share of V8's heap limit above which requests are shed when RISKGATE_SHED_MAX_HEAP_MB is unset. */
export const DEFAULT_HEAP_SHARE = 0.9

/** The load shedding part of the configuration (0 turns a limit off). */
export function sheddingConfigFromEnv (raw: Env): SheddingConfig {
  const heapMb = raw.RISKGATE_SHED_MAX_HEAP_MB
  return {
    maxEventLoopDelayMs: raw.RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: heapMb === undefined ? Math.floor(getHeapStatistics().heap_size_limit * DEFAULT_HEAP_SHARE) : heapMb * 1024 * 1024,
    maxEventLoopUtilization: raw.RISKGATE_SHED_MAX_EVENT_LOOP_UTILIZATION,
    retryAfterSeconds: raw.RISKGATE_SHED_RETRY_AFTER_SECONDS
  }
}
