import type { DecisionLogStore } from '../../decision-log/store.js'
import { reportOutcome } from '../../outcomes/report-outcome.js'
import type { EventDedupe } from '../event-dedupe.js'
import { meaningOf } from './event.js'
import type { OmiseEvent } from './event.js'

export interface ProcessorLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface OmiseProcessorStats {
  /** events that set an outcome */
  applied: number
  /** events whose outcome was weaker than the stored one (kept) */
  kept: number
  /** events about a charge riskgate has no decision for */
  unmatched: number
  /** events that carry no outcome (other keys, declines) */
  ignored: number
  /** events whose processing failed (their claim is released) */
  failed: number
}

export interface OmiseEventProcessor {
  /** processes an accepted (claimed) event in the background; returns at once */
  submit: (event: OmiseEvent) => void
  /** processes one event now (what submit runs) */
  process: (event: OmiseEvent) => Promise<keyof OmiseProcessorStats>
  /** resolves when every submitted event is processed */
  flush: () => Promise<void>
  stats: () => OmiseProcessorStats
}

export interface OmiseProcessorOptions {
  store: Pick<DecisionLogStore, 'setOutcome' | 'findByChargeId' | 'linkCharge' | 'has'>
  dedupe: Pick<EventDedupe, 'release'>
  log: ProcessorLogger
  now?: () => Date
}

/**
 * Applies Omise events to recorded decisions. The decision is found by, in order: the charge's
 * `riskgate_decision_id` metadata, its `riskgate_charge_id` metadata, the Omise charge id (when
 * the merchant used it as charge_id, or linked by an earlier event of the same charge). Once
 * found through metadata, the Omise charge id is linked to the decision, so a refund or dispute
 * (which carry only the charge id) finds it later.
 */
export function createOmiseEventProcessor (options: OmiseProcessorOptions): OmiseEventProcessor {
  const { store, dedupe, log } = options
  const now = options.now ?? (() => new Date())
  const stats: OmiseProcessorStats = { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }
  const inFlight = new Set<Promise<unknown>>()

  async function findDecision (meaning: ReturnType<typeof meaningOf>): Promise<string | undefined> {
    if (meaning.decisionId !== undefined && await store.has(meaning.decisionId)) return meaning.decisionId
    if (meaning.chargeId !== undefined) {
      const found = await store.findByChargeId(meaning.chargeId)
      if (found !== undefined) return found
    }
    if (meaning.omiseChargeId !== undefined) return await store.findByChargeId(meaning.omiseChargeId)
    return undefined
  }

  async function process (event: OmiseEvent): Promise<keyof OmiseProcessorStats> {
    const meaning = meaningOf(event)
    if (meaning.label === undefined && meaning.decisionId === undefined && meaning.chargeId === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const decisionId = await findDecision(meaning)
    if (decisionId === undefined) {
      if (meaning.label === undefined) {
        stats.ignored++
        return 'ignored'
      }
      stats.unmatched++
      log.info({ event_id: event.id, event: event.key }, 'omise webhook: no recorded decision for this charge')
      return 'unmatched'
    }
    if (meaning.omiseChargeId !== undefined && (meaning.decisionId !== undefined || meaning.chargeId !== undefined)) {
      await store.linkCharge(meaning.omiseChargeId, decisionId)
    }
    if (meaning.label === undefined) {
      stats.ignored++
      return 'ignored'
    }
    const result = await reportOutcome(store, decisionId, { label: meaning.label, source: 'omise', event_id: event.id, at: now() })
    if (result.status === 'stored') {
      stats.applied++
      log.info({ event_id: event.id, event: event.key, decision_id: decisionId, label: meaning.label }, 'omise webhook: outcome recorded')
      return 'applied'
    }
    if (result.status === 'kept') {
      stats.kept++
      return 'kept'
    }
    stats.unmatched++
    return 'unmatched'
  }

  return {
    process,
    submit (event) {
      const running = process(event).catch(async (err: unknown) => {
        stats.failed++
        log.error({ event_id: event.id, event: event.key, err: { type: (err as Error).name, message: (err as Error).message } },
          'omise webhook: processing failed; a redelivery of this event will be applied')
        await dedupe.release(event.id).catch(() => {})
      })
      inFlight.add(running)
      running.finally(() => inFlight.delete(running)).catch(() => {})
    },
    async flush () {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
    stats: () => ({ ...stats })
  }
}
