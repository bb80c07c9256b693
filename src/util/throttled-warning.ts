export interface WarningLogger {
  warn: (obj: object, msg: string) => void
}

/**
 * A warning that is logged at most once per `intervalMs`; the next line says how many were
 * left out in between (`suppressed`). For faults that hit every request while they last (Redis
 * down or slow): one line per request would add load to an overloaded service.
 */
export function throttledWarning (log: WarningLogger, msg: string, intervalMs = 10_000, now: () => number = Date.now): (detail: object) => void {
  let last = Number.NEGATIVE_INFINITY
  let suppressed = 0
  return function warn (detail) {
    const at = now()
    if (at - last < intervalMs) {
      suppressed++
      return
    }
    log.warn(suppressed > 0 ? { ...detail, suppressed } : detail, msg)
    last = at
    suppressed = 0
  }
}
