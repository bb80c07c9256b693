import type { EventType } from './events.js'
import type { Claim, DeliveryQueue } from './queue.js'
import { afterFailure, DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js'
import type { RetrySchedule } from './retry-schedule.js'
import type { AttemptResult, Sender } from './sender.js'
import { NODE_TIMERS } from './timers.js'
import type { Timers } from './timers.js'

/** What the dispatcher tells about each attempt (metrics). */
export interface DispatchObserver {
  attempt: (type: EventType, result: AttemptResult) => void
  retry: (type: EventType) => void
  drop: (type: EventType, reason: 'expired' | 'shutdown' | 'superseded') => void
}

export interface DispatcherLogger {
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface DispatcherOptions {
  queue: DeliveryQueue
  send: Sender
  log: DispatcherLogger
  observer?: DispatchObserver
  schedule?: RetrySchedule
  now?: () => number
  /** in [0, 1): the retry delays' jitter */
  random?: () => number
  /** attempts in flight at most */
  concurrency?: number
  /** how long a claim holds an event: longer than an attempt takes (its timeout), so that no other instance sends it meanwhile */
  leaseMs?: number
  /** how often the queue is looked at when nothing is due sooner (events queued by other instances) */
  pollMs?: number
  timers?: Timers
}

export interface Dispatcher {
  /** starts delivering in the background (until stop) */
  start: () => void
  /** something was queued: look at the queue now */
  wake: () => void
  /**
   * Claims what is due now and attempts it; resolves once those attempts are settled, with how
   * many were attempted. For tests and tools that drive time themselves (without start).
   */
  runDue: () => Promise<number>
  /** stops claiming, and resolves once the attempts in flight are settled */
  stop: () => Promise<void>
}

export const DEFAULT_CONCURRENCY = 8
export const DEFAULT_LEASE_MS = 30_000
export const DEFAULT_POLL_MS = 1_000

function describe (err: unknown): { type: string, message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: typeof err, message: String(err) }
}

/**
 * Delivers the queue's events: claims what is due (leased, so that one instance at a time sends
 * an event), sends each, and settles it: delivered (the decision's next event becomes due),
 * retried later with backoff, or dropped once the retry horizon has passed. An event whose
 * settle fails (Redis unavailable) is claimed again when its lease ends: at least once.
 */
export function createDispatcher (options: DispatcherOptions): Dispatcher {
  const { queue, send, log } = options
  const schedule = options.schedule ?? DEFAULT_RETRY_SCHEDULE
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS
  const timers = options.timers ?? NODE_TIMERS
  const inFlight = new Set<Promise<void>>()
  let running = false
  let loop: Promise<void> | undefined
  let wakeUp: (() => void) | undefined
  let woken = false
  let failing = false

  function queueFailed (err: unknown, what: string): void {
    if (!failing) log.error({ err: describe(err) }, `merchant webhooks: ${what} failed, trying again`)
    failing = true
  }

  async function settle (claim: Claim, result: AttemptResult): Promise<void> {
    const type = claim.event.type
    if (result.ok) {
      await queue.remove(claim, now())
      return
    }
    const failures = claim.failures + 1
    const next = afterFailure(schedule, claim.event.createdMs, failures, now(), random())
    if (next === 'drop') {
      if (await queue.remove(claim, now())) {
        options.observer?.drop(type, 'expired')
        log.error({ event_id: claim.event.id, type, failures }, 'merchant webhooks: event dropped after the retry horizon (counted in riskgate_merchant_webhook_dropped_total)')
      }
      return
    }
    if (await queue.retry(claim, next.retryAt, failures)) options.observer?.retry(type)
  }

  async function attempt (claim: Claim): Promise<void> {
    const result = await send(claim.event, now())
    options.observer?.attempt(claim.event.type, result)
    try {
      await settle(claim, result)
      failing = false
    } catch (err) {
      queueFailed(err, 'settling a delivery')
    }
  }

  function track (claim: Claim): Promise<void> {
    const settled = attempt(claim).finally(() => {
      inFlight.delete(settled)
      poke()
    })
    inFlight.add(settled)
    return settled
  }

  function poke (): void {
    woken = true
    wakeUp?.()
  }

  async function claimDue (): Promise<Claim[]> {
    const room = concurrency - inFlight.size
    if (room <= 0) return []
    const at = now()
    try {
      const claims = await queue.claim(at, room, at + leaseMs)
      failing = false
      return claims
    } catch (err) {
      queueFailed(err, 'claiming events')
      return []
    }
  }

  async function pause (): Promise<void> {
    if (woken || !running) return
    let delay = pollMs
    // no room: an attempt that ends wakes the loop
    if (inFlight.size < concurrency) {
      try {
        const next = await queue.nextDueAt()
        if (next !== undefined) delay = Math.min(pollMs, Math.max(0, next - now()))
      } catch (err) {
        queueFailed(err, 'reading the queue')
      }
    }
    if (woken || !running) return
    await new Promise<void>((resolve) => {
      const handle = timers.setTimeout(() => {
        wakeUp = undefined
        resolve()
      }, delay)
      wakeUp = () => {
        wakeUp = undefined
        timers.clearTimeout(handle)
        resolve()
      }
    })
  }

  async function run (): Promise<void> {
    for (;;) {
      // stop() sets running to false while the loop waits
      if (!running) return
      woken = false
      for (const claim of await claimDue()) {
        track(claim).catch(() => { /* attempt catches what it awaits */ })
      }
      await pause()
    }
  }

  return {
    start () {
      if (running) return
      running = true
      loop = run()
    },
    wake: poke,
    async runDue () {
      const claims = await claimDue()
      await Promise.all(claims.map(track))
      return claims.length
    },
    async stop () {
      running = false
      wakeUp?.()
      await loop
      await Promise.all([...inFlight])
    }
  }
}
