/** The limits a shedding decision is made against (0: not checked). */
export interface ShedLimits {
  maxEventLoopDelayMs: number
  maxHeapUsedBytes: number
  maxEventLoopUtilization: number
}

/** The measure that is past its limit, as @fastify/under-pressure names it. */
export const PressureType = {
  EVENT_LOOP_DELAY: 'eventLoopDelay',
  EVENT_LOOP_UTILIZATION: 'eventLoopUtilization',
  HEAP_USED_BYTES: 'heapUsedBytes'
} as const

/**
 * The share of requests to shed for a measure past its limit. Event loop delay and utilization
 * ramp up: from nothing at the limit to every request at twice the delay limit (or at a fully busy
 * loop), so that a server a little past its limit sheds a little, and the load it keeps holds the
 * measure near the limit instead of swinging between shedding all and shedding nothing. The heap
 * sheds everything: memory is not given back by answering fewer requests for a while.
 */
export function shedShare (limits: ShedLimits, type: string, value: number | undefined, heapUsedBytes: number): number {
  if (limits.maxHeapUsedBytes > 0 && heapUsedBytes > limits.maxHeapUsedBytes) return 1
  if (value === undefined || !Number.isFinite(value)) return 1
  if (type === PressureType.EVENT_LOOP_DELAY && limits.maxEventLoopDelayMs > 0) {
    return clamp((value - limits.maxEventLoopDelayMs) / limits.maxEventLoopDelayMs)
  }
  if (type === PressureType.EVENT_LOOP_UTILIZATION && limits.maxEventLoopUtilization > 0 && limits.maxEventLoopUtilization < 1) {
    return clamp((value - limits.maxEventLoopUtilization) / (1 - limits.maxEventLoopUtilization))
  }
  return 1
}

function clamp (share: number): number {
  return share <= 0 ? 0 : share >= 1 ? 1 : share
}

/**
 * Sheds `share` of the requests it is asked about, evenly and deterministically (no random draw):
 * each request adds its share to a credit, and a request that brings the credit to 1 is shed.
 */
export function createShedGate (): (share: number) => boolean {
  let credit = 0
  return (share) => {
    credit += share
    if (credit < 1) return false
    credit -= 1
    return true
  }
}
