import type { DecisionRecord } from '../decision-log/record.js'
import type { DecisionRecorder } from '../decision-log/recorder.js'
import type { AppendEntry } from '../decision-log/store.js'
import { ItemResult } from '../outbox/outbox.js'
import type { DropReason, Outbox } from '../outbox/outbox.js'
import { createDispatcher } from './dispatcher.js'
import type { DispatchObserver, Dispatcher, DispatcherLogger } from './dispatcher.js'
import { reviewClosedEvent, reviewOpenedEvent } from './events.js'
import type { EventType, PendingEvent, ReviewClosedInput } from './events.js'
import { DEFAULT_OPENED_WAIT_MS } from './queue.js'
import type { DeliveryQueue } from './queue.js'
import type { MemoryDeliveryQueue } from './memory-queue.js'
import type { RetrySchedule } from './retry-schedule.js'
import type { Sender } from './sender.js'
import type { Timers } from './timers.js'

/** the outbox kind of merchant webhook events: from whoever made them to the delivery queue */
export const MERCHANT_WEBHOOK_KIND = 'merchant-webhook'

export interface MerchantWebhooksObserver extends DispatchObserver {
  /** an event that never reached the delivery queue (outbox full, or held past its limit, or left at shutdown) */
  lost: (type: EventType, reason: `outbox_${DropReason}`) => void
}

export interface MerchantWebhooksOptions {
  outbox: Outbox
  queue: DeliveryQueue
  send: Sender
  log: DispatcherLogger
  observer?: MerchantWebhooksObserver
  /** the decision log's recorder: a `review` decision's record that lands makes a review.opened */
  records?: { recorder: Pick<DecisionRecorder, 'onRecorded'>, decode: (entry: AppendEntry) => DecisionRecord }
  schedule?: RetrySchedule
  now?: () => number
  random?: () => number
  concurrency?: number
  leaseMs?: number
  pollMs?: number
  timers?: Timers
  /** the queue's wait of a review.closed for its review.opened (see DEFAULT_OPENED_WAIT_MS) */
  openedWaitMs?: number
}

export interface MerchantWebhooks {
  readonly enabled: boolean
  /**
   * A review was closed (its outcome is recorded): queues `review.closed` through the outbox.
   * False when merchant webhooks are not configured, or the outbox refused it (counted).
   */
  reviewClosed: (input: ReviewClosedInput) => boolean
}

export interface MerchantWebhookService extends MerchantWebhooks {
  /** a recorded `review` decision: queues `review.opened` through the outbox */
  reviewOpened: (record: Pick<DecisionRecord, 'decision_id' | 'charge_id' | 'score' | 'amount' | 'currency' | 'fired'>) => boolean
  readonly queue: DeliveryQueue
  readonly dispatcher: Dispatcher
  /**
   * stops the dispatcher once the attempts in flight are settled; in process (no Redis), what
   * still waits, and what the outbox hands over later, is lost and counted
   */
  close: () => Promise<void>
}

/** what the app decorates when no merchant webhook URL is configured */
export const DISABLED_MERCHANT_WEBHOOKS: MerchantWebhooks = { enabled: false, reviewClosed: () => false }

/**
 * Merchant webhooks without Fastify: events are made, handed to the outbox (a new kind, so nothing
 * is fire-and-forget), written by it to the delivery queue (idempotently: a resent write is a
 * duplicate), and delivered from there by the dispatcher.
 */
export function createMerchantWebhooks (options: MerchantWebhooksOptions): MerchantWebhookService {
  const { outbox, queue, log } = options
  const now = options.now ?? Date.now
  const openedWaitMs = options.openedWaitMs ?? DEFAULT_OPENED_WAIT_MS
  const dispatcher = createDispatcher({
    queue,
    send: options.send,
    log,
    ...(options.observer !== undefined ? { observer: options.observer } : {}),
    ...(options.schedule !== undefined ? { schedule: options.schedule } : {}),
    now,
    ...(options.random !== undefined ? { random: options.random } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.timers !== undefined ? { timers: options.timers } : {})
  })

  /** in process: the dispatcher has stopped, and what is handed to the queue now is lost with the process */
  let closed = false
  function lostAtShutdown (events: readonly PendingEvent[]): void {
    if (events.length === 0) return
    for (const event of events) options.observer?.drop(event.type, 'shutdown')
    log.error({ events: events.length }, 'merchant webhooks: events not delivered at shutdown are lost (no Redis; counted in riskgate_merchant_webhook_dropped_total)')
  }

  outbox.define<PendingEvent>(MERCHANT_WEBHOOK_KIND, {
    batchSize: 100,
    // a review.closed waits in the outbox while the queue has not seen its review.opened: longer than the queue's wait
    holdMs: openedWaitMs + 5 * 60_000,
    async write (events) {
      if (closed) {
        lostAtShutdown(events)
        return events.map(() => ItemResult.DONE)
      }
      const results = await queue.enqueue(events, now())
      if (results.includes('queued')) dispatcher.wake()
      results.forEach((result, n) => {
        if (result !== 'superseded') return
        const event = events[n] as PendingEvent
        options.observer?.drop(event.type, 'superseded')
        log.warn({ event_id: event.id, decision_id: event.decisionId }, 'merchant webhooks: a review.opened came after its review.closed and is not sent')
      })
      return results.map((result) => result === 'waiting' ? ItemResult.LATER : ItemResult.DONE)
    },
    settled (event, outcome) {
      if (!outcome.written) options.observer?.lost(event.type, `outbox_${outcome.reason}`)
    }
  })

  const service: MerchantWebhookService = {
    enabled: true,
    queue,
    dispatcher,
    reviewOpened: (record) => outbox.add(MERCHANT_WEBHOOK_KIND, reviewOpenedEvent(record, now())),
    reviewClosed: (input) => outbox.add(MERCHANT_WEBHOOK_KIND, reviewClosedEvent(input, now())),
    async close () {
      await dispatcher.stop()
      if (queue.backend === 'memory') {
        closed = true
        lostAtShutdown((queue as MemoryDeliveryQueue).takeAll())
      }
    }
  }

  const records = options.records
  records?.recorder.onRecorded((entry, result) => {
    // written now, or found written by a resent write (whose first answer was lost): the queue
    // takes one review.opened per decision
    if (result === 'superseded' || entry.index.decision !== 'review') return
    try {
      service.reviewOpened(records.decode(entry))
    } catch (err) {
      log.error({ decision_id: entry.key.decisionId, err: { type: (err as Error).name, message: (err as Error).message } }, 'merchant webhooks: review.opened not made')
    }
  })
  return service
}
