import type { Features } from '../engine/features.js'
import type { Decision } from '../schemas/decision.js'
import type { DigestOf } from './codec.js'
import { IdentifierKind } from './store.js'
import type { IndexEntry } from './store.js'

/** an identifier the index entry keeps (a record of codec version 2 then leaves its digest to the entry) */
export function isIndexed (value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

/**
 * What a record is found by (searches, the review queue, the overview), from what the request
 * computed already: the decision, the live rules that fired, and the request's own digests of
 * its identifiers (each identifier hashed once per request: `digestOf` is the request's memo).
 */
export function indexEntry (features: Features, decision: Decision, fired: readonly string[], degraded: boolean, digestOf: DigestOf): IndexEntry {
  const identifiers: IndexEntry['identifiers'] = {}
  const ip = features.ip?.address
  if (isIndexed(ip)) identifiers[IdentifierKind.IP] = digestOf(ip)
  const email = features.email?.address
  if (isIndexed(email)) identifiers[IdentifierKind.EMAIL] = digestOf(email)
  const card = features.card?.fingerprint
  if (isIndexed(card)) identifiers[IdentifierKind.CARD] = digestOf(card)
  const customer = features.customer?.id
  if (isIndexed(customer)) identifiers[IdentifierKind.CUSTOMER] = digestOf(customer)
  return { decision, rules: fired, identifiers, degraded }
}
