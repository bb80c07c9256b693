import type { Card } from '../schemas/charge.js'
import type { CardSignals } from '../schemas/signals.js'

/** Card signals: what the merchant sent, country upper-cased, brand and funding lower-cased. */
export function cardSignals (card: Card): CardSignals {
  const out: CardSignals = {}
  if (card.bin !== undefined) out.bin = card.bin
  if (card.last4 !== undefined) out.last4 = card.last4
  if (card.country !== undefined) out.country = card.country.toUpperCase()
  if (card.brand !== undefined) out.brand = card.brand.trim().toLowerCase()
  if (card.funding !== undefined) out.funding = card.funding.trim().toLowerCase()
  if (card.fingerprint !== undefined) out.fingerprint = card.fingerprint
  return out
}
