import type { Features } from '../engine/features.js'
import type { Decision } from '../schemas/decision.js'
import type { DigestOf } from './codec.js'
import { IdentifierKind } from './store.js'
import type { IndexEntry } from './store.js'

/**
 * What a record is found by (searches, the review queue, the overview), from what the request
 * computed already: the decision, the live rules that fired, and the request's own digests of
 * its identifiers (each identifier hashed once per request: `digestOf` is the request's memo).
 */
export function indexEntry (features: Features, decision: Decision, fired: readonly string[], degraded: boolean, digestOf: DigestOf): IndexEntry {
  const identifiers: IndexEntry['identifiers'] = {}
  const ip = features.ip?.address
  if (typeof ip === 'string' && ip !== '') identifiers[IdentifierKind.IP] = digestOf(ip)
  const email = features.email?.address
  if (typeof email === 'string' && email !== '') identifiers[IdentifierKind.EMAIL] = digestOf(email)
  const card = features.card?.fingerprint
  if (typeof card === 'string' && card !== '') identifiers[IdentifierKind.CARD] = digestOf(card)
  const customer = features.customer?.id
  if (typeof customer === 'string' && customer !== '') identifiers[IdentifierKind.CUSTOMER] = digestOf(customer)
  return { decision, rules: fired, identifiers, degraded }
}
