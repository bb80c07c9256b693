import type { Features } from '../../src/engine/features.js'
import { VelocityKind } from '../../src/engine/velocity-spec.js'
import type { VelocityCounterSpec } from '../../src/engine/velocity-spec.js'

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
/** a fixed start time: tests inject every timestamp */
export const T0 = Date.UTC(2026, 10, 21, 12, 0, 0)

export interface ChargeInput {
  ip?: string
  email?: string
  bin?: string
  fingerprint?: string
  amount?: number
  customer?: string
  metadata?: Record<string, string | number | boolean>
}

/** The Features the planner reads, from the few fields velocity tests vary. */
export function features (c: ChargeInput): Features {
  const f: Features = {
    amount: c.amount ?? 1000,
    currency: 'THB',
    item_count: 0,
    items: [],
    metadata: c.metadata ?? {},
    ip: { address: c.ip ?? '203.0.113.7', version: 4, is_private: false },
    customer: c.customer === undefined ? {} : { id: c.customer }
  }
  if (c.email !== undefined) f.email = { address: c.email, domain: c.email.split('@')[1] ?? '' }
  if (c.bin !== undefined || c.fingerprint !== undefined) {
    f.card = {}
    if (c.bin !== undefined) f.card.bin = c.bin
    if (c.fingerprint !== undefined) f.card.fingerprint = c.fingerprint
  }
  return f
}

export function count (name: string, by: string[], windowSeconds: number): VelocityCounterSpec {
  return { name, kind: VelocityKind.COUNT, by, windowSeconds }
}

export function distinct (name: string, of: string, by: string[], windowSeconds: number): VelocityCounterSpec {
  return { name, kind: VelocityKind.DISTINCT, of, by, windowSeconds }
}

export function sum (name: string, of: string, by: string[], windowSeconds: number): VelocityCounterSpec {
  return { name, kind: VelocityKind.SUM, of, by, windowSeconds }
}

/** the DESIGN.md example rule set's counters, and a composite one */
export const exampleSpecs: VelocityCounterSpec[] = [
  count('charges_per_ip_1h', ['ip.address'], 3600),
  distinct('cards_per_email_24h', 'card.fingerprint', ['email.address'], 86_400),
  sum('amount_per_card_24h', 'amount', ['card.fingerprint'], 86_400),
  count('charges_per_bin_ip_1h', ['card.bin', 'ip.address'], 3600)
]
