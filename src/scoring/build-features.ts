import type { Features } from '../engine/features.js'
import type { ChargeContext } from '../schemas/charge.js'
import type { CardSignals, EmailSignals, IpSignals } from '../schemas/signals.js'
import { cardSignals } from '../signals/card.js'

/**
 * The features of a normalized charge before velocity: the request's own fields plus the IP and
 * email signals. `item_count` is the total quantity across items (a line without a quantity
 * counts 1).
 */
export function buildFeatures (charge: ChargeContext, ip: IpSignals, email: EmailSignals | undefined): Features {
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
  return features
}
