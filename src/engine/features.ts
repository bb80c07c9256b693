import type { CardSignals, DeviceSignals, EmailSignals, IpSignals, VelocitySignals } from '../schemas/signals.js'
import type { Address, Item } from '../schemas/charge.js'

/**
 * Everything a rule can read: the CEL environment of DESIGN.md ("Signals available to rules").
 * It is built before the engine runs (all I/O happens there) and recorded with each decision,
 * so replaying it through the same engine gives the same decision.
 *
 * Unknown values are absent (undefined), never defaulted: a rule that reads an absent value does
 * not fire and is reported as skipped.
 */
export interface Features {
  amount: number
  currency: string
  description?: string
  item_count: number
  items: Item[]
  metadata: Record<string, string | number | boolean>
  ip: IpSignals
  email?: EmailSignals
  card?: CardSignals
  billing?: Address
  shipping?: Address
  /** the user_agent and accept_language sent and what they say; absent when neither was sent */
  device?: DeviceSignals
  /** same country and normalized postal code; absent when either address lacks them */
  billing_shipping_match?: boolean
  /** km from the IP's location to the billing city; absent unless both are known */
  ip_billing_distance_km?: number
  /** absent when the velocity store was unavailable (degraded) */
  velocity?: VelocitySignals
  customer: { id?: string }
}
