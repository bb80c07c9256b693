import type { Address, ChargeContext, Item } from '../schemas/charge.js'
import { scrubCardNumbers } from '../security/luhn.js'

/**
 * The charge as riskgate keeps it: free text scrubbed of anything that looks like a card number
 * (Luhn-valid 13-19 digit runs) before it is logged, stored or shown to a rule; country and
 * currency codes upper-cased. The IP and email are normalized by their signal modules.
 */
export function normalizeCharge (charge: ChargeContext): ChargeContext {
  const out: ChargeContext = {
    ...charge,
    currency: charge.currency.toUpperCase()
  }
  if (charge.description !== undefined) out.description = scrubCardNumbers(charge.description)
  if (charge.user_agent !== undefined) out.user_agent = scrubCardNumbers(charge.user_agent)
  if (charge.accept_language !== undefined) out.accept_language = scrubCardNumbers(charge.accept_language)
  if (charge.billing !== undefined) out.billing = normalizeAddress(charge.billing)
  if (charge.shipping !== undefined) out.shipping = normalizeAddress(charge.shipping)
  if (charge.card?.country !== undefined) out.card = { ...charge.card, country: charge.card.country.toUpperCase() }
  if (charge.items !== undefined) out.items = charge.items.map(normalizeItem)
  if (charge.metadata !== undefined) {
    const metadata: Record<string, string | number | boolean> = {}
    for (const [key, value] of Object.entries(charge.metadata)) {
      metadata[scrubCardNumbers(key)] = typeof value === 'string' ? scrubCardNumbers(value) : value
    }
    out.metadata = metadata
  }
  return out
}

function normalizeAddress (address: Address): Address {
  const out: Address = {}
  for (const [key, value] of Object.entries(address) as Array<[keyof Address, string | undefined]>) {
    if (value === undefined) continue
    out[key] = key === 'country' ? value.toUpperCase() : scrubCardNumbers(value)
  }
  return out
}

function normalizeItem (item: Item): Item {
  const out: Item = { ...item }
  if (item.name !== undefined) out.name = scrubCardNumbers(item.name)
  if (item.sku !== undefined) out.sku = scrubCardNumbers(item.sku)
  if (item.category !== undefined) out.category = scrubCardNumbers(item.category)
  return out
}
