import { ItemResult } from '../outbox/outbox.js'
import type { Outbox } from '../outbox/outbox.js'
import type { EventDedupe } from './event-dedupe.js'

interface Logger {
  info: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface GatewayEventKind<E extends { id: string }> {
  /** the outbox kind */
  kind: string
  /** applies one event now: `pending` while no recorded decision matches it (tried again, up to the hold limit) */
  process: (event: E) => Promise<string>
  dedupe: Pick<EventDedupe, 'release'>
  stats: { unmatched: number, failed: number }
  log: Logger
  /** the fields that name an event in a log line */
  fields: (event: E) => Record<string, unknown>
  /** the log lines of an event held past the hold limit, and of one the outbox dropped */
  unmatchedMessage: string
  failedMessage: string
  /**
   * release the claim of an event held past the hold limit too (imported rows: the same file
   * imported again applies them once their decisions are recorded); a webhook event keeps it
   */
  releaseUnmatched?: boolean
}

/**
 * The outbox kind of a gateway's accepted events (Omise, Stripe, Midtrans, Adyen): applied in batches,
 * an event without its decision yet held and tried again; one held past the hold limit counted
 * unmatched; one dropped otherwise counted failed and its claim released, so that the gateway's
 * redelivery is applied. Returns the submit of an event: false when the outbox is full (the event
 * is counted failed and its claim released).
 */
export function defineGatewayEvents<E extends { id: string }> (outbox: Outbox, k: GatewayEventKind<E>): (event: E) => boolean {
  outbox.define<E>(k.kind, {
    batchSize: 20,
    async write (events) {
      const results: ItemResult[] = []
      for (const event of events) results.push(await k.process(event) === 'pending' ? ItemResult.LATER : ItemResult.DONE)
      return results
    },
    settled (event, outcome) {
      if (outcome.written) return
      if (outcome.reason === 'expired') {
        k.stats.unmatched++
        k.log.info(k.fields(event), k.unmatchedMessage)
        if (k.releaseUnmatched === true) k.dedupe.release(event.id).catch(() => {})
        return
      }
      k.stats.failed++
      k.log.error({ ...k.fields(event), reason: outcome.reason }, k.failedMessage)
      k.dedupe.release(event.id).catch(() => {})
    }
  })
  return (event) => outbox.add(k.kind, event)
}
