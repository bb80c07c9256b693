import type { Test } from 'tap'
import { createMemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import type { MemoryDecisionLog } from '../../src/decision-log/memory-store.js'
import { createOutbox } from '../../src/outbox/outbox.js'
import type { Outbox, OutboxOptions } from '../../src/outbox/outbox.js'
import { createEventDedupe } from '../../src/webhooks/event-dedupe.js'
import type { GatewayEventProcessor, GatewayProcessorOptions } from '../../src/webhooks/gateway-processor.js'
import { keysOf } from './decision-log-suite.js'

/** What the gateway processors' tests share: a quiet logger, a time, the hash key, a log, an outbox. */
export const quiet = { info: () => {}, warn: () => {}, error: () => {} }
export const T0 = Date.UTC(2026, 10, 21, 10)
export const HASH_KEY = 'test-hash-key-0123456789abcdef0123'

export function memoryLog (): MemoryDecisionLog {
  return createMemoryDecisionLog({ keys: keysOf(1) })
}

export function outbox (extra: Partial<OutboxOptions> = {}): Outbox {
  return createOutbox({ log: quiet, baseBackoffMs: 1, maxBackoffMs: 2, ...extra })
}

export interface GatewayCase<E extends { id: string }> {
  create: (options: GatewayProcessorOptions) => GatewayEventProcessor<E>
  /** the outbox kind of its events */
  kind: string
  /** the dedupe source */
  source: 'omise' | 'stripe' | 'midtrans' | 'adyen'
}

/**
 * An event whose decision never lands is held (each try takes ten minutes of the outbox's clock,
 * the hold limit is fifteen), then counted unmatched and logged with `line`; its claim is kept.
 */
export async function checkHeldThenUnmatched<E extends { id: string }> (t: Test, gateway: GatewayCase<E>, event: E, line: string): Promise<void> {
  let clock = T0
  const log = memoryLog()
  const lines: string[] = []
  const box = outbox({ now: () => clock })
  const processor = gateway.create({
    store: { ...log, keys: log.keys, findByChargeId: async (id) => { clock += 10 * 60_000; return await log.findByChargeId(id) } },
    dedupe: { release: async () => { t.fail('an unmatched event keeps its claim: a redelivery finds no more') } },
    outbox: box,
    log: { ...quiet, info: (_obj, msg) => { lines.push(msg) } }
  })
  processor.submit(event)
  // a flush leaves a held event after one more try: held since the first, the third is past the limit
  await box.flush()
  t.same(processor.stats(), { applied: 0, kept: 0, unmatched: 0, ignored: 0, failed: 0 }, 'held, not given up')
  t.equal(box.depth(), 1)
  await box.flush()
  await box.flush()
  t.same(processor.stats(), { applied: 0, kept: 0, unmatched: 1, ignored: 0, failed: 0 })
  t.equal(box.stats()[gateway.kind]?.dropped.expired, 1)
  t.ok(lines.includes(line))
}

/** An event a full outbox cannot take is not applied, counted failed, and its claim released for the redelivery. */
export async function checkFullOutboxReleases<E extends { id: string }> (t: Test, gateway: GatewayCase<E>, event: E, log: MemoryDecisionLog = memoryLog()): Promise<void> {
  const dedupe = createEventDedupe({ redis: null, hashKey: HASH_KEY, source: gateway.source })
  const full = outbox({ maxItems: 0 })
  const processor = gateway.create({ store: log, dedupe, outbox: full, log: quiet })
  t.equal(await dedupe.claim(event.id), true)
  processor.submit(event)
  t.equal(processor.stats().failed, 1, 'a full outbox: not applied, counted')
  await full.flush()
  t.equal(await dedupe.claim(event.id), true, 'and released, so a redelivery is applied')
}
