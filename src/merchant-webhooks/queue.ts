import type { PendingEvent } from './events.js'

/**
 * Where events wait for delivery (Redis, or in process without Redis), shared by every
 * instance's dispatcher. Per decision, events are delivered in the order they were queued: only
 * the first pending event of a decision is ever due (its successors wait until it leaves). An
 * event is claimed with a lease: until the lease ends no other claim gets it; the claim's
 * `token` settles it, and a settle with a stale token (the lease ended and another claim took
 * the event) changes nothing.
 */
export interface DeliveryQueue {
  readonly backend: 'redis' | 'memory'
  /**
   * Adds events, idempotently (by event id, and one event of each type per decision): one result
   * per event, in order. `waiting`: a `review.closed` whose decision's `review.opened` the queue
   * has not seen yet, made less than `openedWaitMs` ago: not queued, to be given again later.
   * `superseded`: a `review.opened` that comes after its decision's `review.closed` was queued
   * (it waited longer than `openedWaitMs` somewhere): never sent, it would tell the merchant to
   * hold an order whose review is closed.
   */
  enqueue: (events: readonly PendingEvent[], nowMs: number) => Promise<EnqueueResult[]>
  /** claims at most `max` due events (due at or before `nowMs`), leased until `leaseUntilMs` */
  claim: (nowMs: number, max: number, leaseUntilMs: number) => Promise<Claim[]>
  /** delivered (or dropped): the event leaves, and the next of its decision is due at `nowMs` */
  remove: (claim: Claim, nowMs: number) => Promise<boolean>
  /** failed: tried again at `retryAtMs`, `failures` failed attempts so far */
  retry: (claim: Claim, retryAtMs: number, failures: number) => Promise<boolean>
  /** events waiting, and when the oldest of them was made */
  stats: () => Promise<QueueStats>
  /** when the earliest event is due (or its lease ends); undefined when none waits */
  nextDueAt: () => Promise<number | undefined>
}

export type EnqueueResult = 'queued' | 'duplicate' | 'waiting' | 'superseded'

export interface Claim {
  event: PendingEvent
  /** failed attempts before this one */
  failures: number
  token: string
}

export interface QueueStats {
  depth: number
  oldestCreatedMs?: number
}

/**
 * How long a `review.closed` waits for its decision's `review.opened` to reach the queue (both
 * go through the outbox of whichever instance made them) before it is queued anyway.
 */
export const DEFAULT_OPENED_WAIT_MS = 10 * 60_000

/** How long the queue remembers that a decision's event of a type was queued (resent events are duplicates). */
export const DEFAULT_SEEN_TTL_MS = 120 * 24 * 60 * 60_000
