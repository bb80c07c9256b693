import { containsCardNumber } from './luhn.js'

/**
 * Field names that carry raw card data. riskgate never accepts them: card data goes from the
 * shopper's device to the gateway's vault; merchants send the gateway's token or fingerprint.
 * Compared after lower-casing and removing `_`, `-` and spaces.
 */
const CARD_FIELD_NAMES = new Set([
  'number', 'pan', 'cardnumber', 'ccnumber', 'cardno', 'accountnumber', 'primaryaccountnumber',
  'cvv', 'cvv2', 'cvc', 'cvc2', 'cid', 'csc', 'securitycode', 'cardsecuritycode', 'cardverificationvalue',
  'track', 'track1', 'track2', 'trackdata', 'magstripe', 'pin', 'pinblock'
])

// the same few dozen field names arrive with every request: their normalized form is kept
const normalizedNames = new Map<string, string>()
const MAX_NORMALIZED_NAMES = 1_000

function normalizeName (name: string): string {
  let normalized = normalizedNames.get(name)
  if (normalized === undefined) {
    normalized = name.toLowerCase().replace(/[\s_-]/g, '')
    if (normalizedNames.size < MAX_NORMALIZED_NAMES && name.length <= 64) normalizedNames.set(name, normalized)
  }
  return normalized
}

/** a JSON pointer segment (RFC 6901) */
function escapeSegment (key: string): string {
  return key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key
}

export interface CardDataFinding {
  /** JSON pointer of the field, e.g. `/card/number`; never the value */
  path: string
  reason: 'card_field_name' | 'card_number_in_identifier'
}

/** Identifier fields that must never hold a full card number (free text is scrubbed instead). */
const IDENTIFIER_POINTERS = new Set(['/card/bin', '/card/last4', '/card/fingerprint', '/customer_id', '/charge_id', '/email'])

/**
 * Walks a request body (before schema validation, so the merchant learns to tokenize rather than
 * just "unknown field") and reports every field that carries card data, by path only.
 */
export function findCardData (body: unknown): CardDataFinding[] {
  const findings: CardDataFinding[] = []
  const walk = (node: unknown, pointer: string, depth: number): void => {
    if (depth > 8 || node === null || typeof node !== 'object') {
      if (typeof node === 'string' && IDENTIFIER_POINTERS.has(pointer) && containsCardNumber(node)) {
        findings.push({ path: pointer, reason: 'card_number_in_identifier' })
      }
      return
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1))
      return
    }
    for (const [key, value] of Object.entries(node)) {
      const child = `${pointer}/${escapeSegment(key)}`
      if (CARD_FIELD_NAMES.has(normalizeName(key)) && value !== null && value !== '') {
        findings.push({ path: child, reason: 'card_field_name' })
      } else {
        walk(value, child, depth + 1)
      }
    }
  }
  walk(body, '', 0)
  return findings
}
