import type { Address, Card, ChargeContext, Item } from '../schemas/charge.js'
import { CARD_NUMBER_PLACEHOLDER, numberHoldsCardNumber, scrubCardNumbers } from '../security/scrub-card-numbers.js'

/**
 * The charge as riskgate keeps it: every free-text string scrubbed of card numbers (any rendering,
 * see src/security/scrub-card-numbers.ts) before it is logged, stored or shown to a rule; country
 * and currency codes upper-cased. The IP and email are normalized by their signal modules.
 *
 * Free text: description, user_agent, accept_language, every address field but the country, the
 * items' sku, name and category, the metadata's keys and values (a number holding a card number
 * becomes the placeholder string), and the card's brand and funding (kept in clear, so scrubbed of
 * a card number written beside a word; a whole card number there is refused earlier, by
 * findCardData). Identifiers (charge_id, customer_id, email, card fingerprint) are scrubbed too:
 * findCardData refuses one whose whole value is a card number, but lets through, on purpose, the
 * shapes merchants' ids have (13 digits, a leading 1: see src/security/identifier-card-number.ts)
 * and ids that merely contain one; what riskgate echoes, keys and keeps of such an id has the
 * placeholder in its place (the charge's idempotency key is computed from the id as sent). Nothing
 * is refused here.
 */
export function normalizeCharge (charge: ChargeContext): ChargeContext {
  const out: ChargeContext = {
    ...charge,
    charge_id: scrubCardNumbers(charge.charge_id),
    currency: charge.currency.toUpperCase()
  }
  if (charge.customer_id !== undefined) out.customer_id = scrubCardNumbers(charge.customer_id)
  if (charge.email !== undefined) out.email = scrubCardNumbers(charge.email)
  if (charge.description !== undefined) out.description = scrubCardNumbers(charge.description)
  if (charge.user_agent !== undefined) out.user_agent = scrubCardNumbers(charge.user_agent)
  if (charge.accept_language !== undefined) out.accept_language = scrubCardNumbers(charge.accept_language)
  if (charge.billing !== undefined) out.billing = normalizeAddress(charge.billing)
  if (charge.shipping !== undefined) out.shipping = normalizeAddress(charge.shipping)
  if (charge.card !== undefined) out.card = normalizeCard(charge.card)
  if (charge.items !== undefined) out.items = charge.items.map(normalizeItem)
  if (charge.metadata !== undefined) out.metadata = normalizeMetadata(charge.metadata)
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

function normalizeCard (card: Card): Card {
  const out: Card = { ...card }
  if (card.country !== undefined) out.country = card.country.toUpperCase()
  if (card.brand !== undefined) out.brand = scrubCardNumbers(card.brand)
  if (card.funding !== undefined) out.funding = scrubCardNumbers(card.funding)
  if (card.fingerprint !== undefined) out.fingerprint = scrubCardNumbers(card.fingerprint)
  return out
}

function normalizeItem (item: Item): Item {
  const out: Item = { ...item }
  if (item.name !== undefined) out.name = scrubCardNumbers(item.name)
  if (item.sku !== undefined) out.sku = scrubCardNumbers(item.sku)
  if (item.category !== undefined) out.category = scrubCardNumbers(item.category)
  return out
}

function normalizeMetadata (metadata: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {}
  for (const [key, value] of Object.entries(metadata)) {
    const scrubbed = scrubCardNumbers(key)
    // two keys scrubbed to the same text both stay
    let outKey = scrubbed
    for (let n = 2; Object.hasOwn(out, outKey); n++) outKey = `${scrubbed} (${n})`
    out[outKey] = typeof value === 'string'
      ? scrubCardNumbers(value)
      : typeof value === 'number' && numberHoldsCardNumber(value) ? CARD_NUMBER_PLACEHOLDER : value
  }
  return out
}
