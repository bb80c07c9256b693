import { EventType } from './events.js'
import type { PendingEvent } from './events.js'
import { DEFAULT_OPENED_WAIT_MS, DEFAULT_SEEN_TTL_MS } from './queue.js'
import type { Claim, DeliveryQueue, EnqueueResult } from './queue.js'

export interface MemoryDeliveryQueue extends DeliveryQueue {
  /** empties the queue and gives what waited (at shutdown: it is lost with the process, and counted) */
  takeAll: () => PendingEvent[]
}

export interface MemoryQueueOptions {
  openedWaitMs?: number
  seenTtlMs?: number
  /** decisions' queued event types remembered at most (the oldest forgotten first) */
  maxSeen?: number
}

interface Slot {
  event: PendingEvent
  failures: number
  claims: number
  /** due at (or leased until); undefined while an earlier event of its decision waits */
  dueAt: number | undefined
}

/**
 * The delivery queue in process (no Redis): one instance only, and what waits is lost when the
 * process stops (counted as dropped at shutdown).
 */
export function createMemoryQueue (options: MemoryQueueOptions = {}): MemoryDeliveryQueue {
  const openedWaitMs = options.openedWaitMs ?? DEFAULT_OPENED_WAIT_MS
  const seenTtlMs = options.seenTtlMs ?? DEFAULT_SEEN_TTL_MS
  const maxSeen = options.maxSeen ?? 200_000
  const slots = new Map<string, Slot>()
  /** per decision, its waiting event ids in order */
  const chains = new Map<string, string[]>()
  /** `<decision id>:<type>` -> when queued, oldest first */
  const seen = new Map<string, number>()

  function forgetSeen (nowMs: number): void {
    for (const [mark, at] of seen) {
      if (at > nowMs - seenTtlMs && seen.size <= maxSeen) break
      seen.delete(mark)
    }
  }

  function current (claim: Claim): Slot | undefined {
    const slot = slots.get(claim.event.id)
    return slot !== undefined && String(slot.claims) === claim.token ? slot : undefined
  }

  return {
    backend: 'memory',
    async enqueue (events, nowMs) {
      forgetSeen(nowMs)
      return events.map((event): EnqueueResult => {
        const mark = `${event.decisionId}:${event.type}`
        if (slots.has(event.id) || seen.has(mark)) return 'duplicate'
        if (event.type === EventType.REVIEW_OPENED && seen.has(`${event.decisionId}:${EventType.REVIEW_CLOSED}`)) return 'superseded'
        if (event.type === EventType.REVIEW_CLOSED && !seen.has(`${event.decisionId}:${EventType.REVIEW_OPENED}`) && nowMs < event.createdMs + openedWaitMs) return 'waiting'
        seen.set(mark, nowMs)
        const chain = chains.get(event.decisionId)
        slots.set(event.id, { event, failures: 0, claims: 0, dueAt: chain === undefined ? nowMs : undefined })
        if (chain === undefined) chains.set(event.decisionId, [event.id])
        else chain.push(event.id)
        return 'queued'
      })
    },
    async claim (nowMs, max, leaseUntilMs) {
      const due = [...slots.values()]
        .filter((slot) => slot.dueAt !== undefined && slot.dueAt <= nowMs)
        .sort((a, b) => (a.dueAt as number) - (b.dueAt as number))
        .slice(0, max)
      return due.map((slot) => {
        slot.claims++
        slot.dueAt = leaseUntilMs
        return { event: slot.event, failures: slot.failures, token: String(slot.claims) }
      })
    },
    async remove (claim, nowMs) {
      const slot = current(claim)
      if (slot === undefined) return false
      slots.delete(claim.event.id)
      const chain = (chains.get(claim.event.decisionId) ?? []).filter((id) => id !== claim.event.id)
      if (chain.length === 0) {
        chains.delete(claim.event.decisionId)
      } else {
        chains.set(claim.event.decisionId, chain)
        const next = slots.get(chain[0] as string)
        if (next !== undefined && next.dueAt === undefined) next.dueAt = nowMs
      }
      return true
    },
    async retry (claim, retryAtMs, failures) {
      const slot = current(claim)
      if (slot === undefined) return false
      slot.failures = failures
      slot.dueAt = retryAtMs
      return true
    },
    async stats () {
      let oldest: number | undefined
      for (const slot of slots.values()) if (oldest === undefined || slot.event.createdMs < oldest) oldest = slot.event.createdMs
      return oldest === undefined ? { depth: 0 } : { depth: slots.size, oldestCreatedMs: oldest }
    },
    takeAll () {
      const events = [...slots.values()].map((slot) => slot.event)
      slots.clear()
      chains.clear()
      return events
    },
    async nextDueAt () {
      let next: number | undefined
      for (const slot of slots.values()) if (slot.dueAt !== undefined && (next === undefined || slot.dueAt < next)) next = slot.dueAt
      return next
    }
  }
}
