import type { Features } from '../engine/features.js'
import type { ChargeContext } from '../schemas/charge.js'
import type { CardSignals, DeviceSignals, EmailSignals, IpSignals } from '../schemas/signals.js'
import { billingShippingMatch } from '../signals/address.js'
import { cardSignals } from '../signals/card.js'
import type { CityCoordinates } from '../signals/geo/city-coordinates.js'
import type { GeoPoint } from '../signals/geo/geo-point.js'
import { ipBillingDistanceKm } from '../signals/geo/ip-billing-distance.js'

/** Signals computed beside the IP and email ones (each absent when unknown). */
export interface ChargeEnrichment {
  device?: DeviceSignals | undefined
  /** the IP's location (a City database), for ip_billing_distance_km */
  ipLocation?: GeoPoint | undefined
  /** the cities table, for ip_billing_distance_km */
  cities?: CityCoordinates | undefined
}

/**
 * The features of a normalized charge before velocity: the request's own fields plus the IP,
 * email and device signals, whether billing and shipping match, and the IP-to-billing distance.
 * `item_count` is the total quantity across items (a line without a quantity counts 1).
 */
export function buildFeatures (charge: ChargeContext, ip: IpSignals, email: EmailSignals | undefined, enrichment: ChargeEnrichment = {}): Features {
  const items = charge.items ?? []
  let itemCount = 0
  for (const item of items) itemCount += item.quantity ?? 1
  const features: Features = {
    amount: charge.amount,
    currency: charge.currency,
    item_count: itemCount,
    items,
    metadata: charge.metadata ?? {},
    ip,
    customer: charge.customer_id === undefined ? {} : { id: charge.customer_id }
  }
  if (charge.description !== undefined) features.description = charge.description
  if (email !== undefined) features.email = email
  if (charge.card !== undefined) features.card = cardSignals(charge.card) satisfies CardSignals
  if (charge.billing !== undefined) features.billing = charge.billing
  if (charge.shipping !== undefined) features.shipping = charge.shipping
  if (enrichment.device !== undefined) features.device = enrichment.device
  const match = billingShippingMatch(charge.billing, charge.shipping)
  if (match !== undefined) features.billing_shipping_match = match
  const distance = ipBillingDistanceKm(enrichment.ipLocation, charge.billing, enrichment.cities)
  if (distance !== undefined) features.ip_billing_distance_km = distance
  return features
}
