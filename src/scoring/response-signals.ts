import type { Features } from '../engine/features.js'
import type { ScoreResponse } from '../schemas/decision.js'

/** The `signals` block of a score answer: what the rules saw of the charge, unknown values absent. */
export function responseSignals (features: Features): ScoreResponse['signals'] {
  const signals: ScoreResponse['signals'] = { ip: features.ip }
  if (features.email !== undefined) signals.email = features.email
  if (features.card !== undefined) signals.card = features.card
  if (features.device !== undefined) signals.device = features.device
  if (features.billing_shipping_match !== undefined) signals.billing_shipping_match = features.billing_shipping_match
  if (features.ip_billing_distance_km !== undefined) signals.ip_billing_distance_km = features.ip_billing_distance_km
  if (features.velocity !== undefined) signals.velocity = features.velocity
  return signals
}
