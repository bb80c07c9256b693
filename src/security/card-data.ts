import { identifierIsCardNumber } from './identifier-card-number.js'
import { containsCardNumber, scrubCardNumbers } from './scrub-card-numbers.js'

/**
 * Field names that carry raw card data. riskgate never accepts them: card data goes from the
 * shopper's device to the gateway's vault; merchants send the gateway's token or fingerprint.
 * Compared normalized: NFKC (full-width letters), lower case, separators removed (`card_number`,
 * `cardNumber`, `Card-Number`, `card.number` and `card number` are one name).
 */
const CARD_FIELD_NAMES = new Set([
  'number', 'pan', 'fullpan', 'cardpan', 'cardnumber', 'cardnum', 'cardno', 'ccnumber', 'ccnum', 'ccno',
  'creditcardnumber', 'debitcardnumber', 'accountnumber', 'primaryaccountnumber',
  'cvv', 'cvv2', 'cvc', 'cvc2', 'cvn', 'cvn2', 'cvd', 'cav2', 'csc', 'securitycode', 'cardsecuritycode',
  'cardverificationvalue', 'cardverificationcode', 'cardcode',
  'track', 'track1', 'track2', 'trackdata', 'magstripe', 'magneticstripe', 'pinblock'
])

/**
 * Names that are card data only when the value looks like it: `cid` is also a customer or client
 * id (analytics tools send one), `pin` a postal index number.
 */
const CARD_FIELD_NAMES_BY_VALUE = new Map<string, RegExp>([
  ['cid', /^\s*[0-9]{3,4}\s*$/], // American Express's card identification number
  ['pin', /^\s*[0-9]{4,12}\s*$/]
])

const IS_CARD_NAME = 1
const IS_CARD_NAME_BY_VALUE = 2
const HOLDS_CARD_NUMBER = 4

// the same few dozen field names arrive with every request: what is known of each is kept
const nameFlags = new Map<string, number>()
const MAX_KNOWN_NAMES = 1_000
const NAME_SEPARATORS = /[\s\p{Pd}\p{Cf}_./\\,]/gu

function flagsOf (name: string): number {
  let flags = nameFlags.get(name)
  if (flags === undefined) {
    const normalized = name.normalize('NFKC').toLowerCase().replace(NAME_SEPARATORS, '')
    flags = (CARD_FIELD_NAMES.has(normalized) ? IS_CARD_NAME : 0) |
      (CARD_FIELD_NAMES_BY_VALUE.has(normalized) ? IS_CARD_NAME_BY_VALUE : 0) |
      (containsCardNumber(name) ? HOLDS_CARD_NUMBER : 0)
    if (nameFlags.size < MAX_KNOWN_NAMES && name.length <= 64) nameFlags.set(name, flags)
  }
  return flags
}

function isCardDataByValue (name: string, value: unknown): boolean {
  const normalized = name.normalize('NFKC').toLowerCase().replace(NAME_SEPARATORS, '')
  const pattern = CARD_FIELD_NAMES_BY_VALUE.get(normalized)
  return pattern !== undefined && (typeof value === 'string' || typeof value === 'number') && pattern.test(String(value))
}

export interface CardDataFinding {
  /** JSON pointer of the field, e.g. `/card/number`; never the value, and card numbers in names are scrubbed */
  path: string
  reason: 'card_field_name' | 'card_number_in_identifier' | 'card_number_in_field_name'
}

/** Identifier fields that must never hold a whole card number (free text is scrubbed instead). */
const ROOT_IDENTIFIERS = new Set(['charge_id', 'customer_id'])
const CARD_IDENTIFIERS = new Set(['fingerprint', 'bin', 'last4', 'brand', 'funding'])

const Place = { ROOT: 0, CARD: 1, METADATA: 2, OTHER: 3 } as const
type Place = typeof Place[keyof typeof Place]

interface Frame {
  value: unknown
  /** what the value is, as an object of the charge */
  place: Place
  key: string
  parent: Frame | undefined
  /** set when the field's name alone refuses it */
  refusal: CardDataFinding['reason'] | undefined
}

/** a JSON pointer segment (RFC 6901), scrubbed of card numbers */
function segment (key: string): string {
  const scrubbed = scrubCardNumbers(key)
  return scrubbed.includes('~') || scrubbed.includes('/') ? scrubbed.replace(/~/g, '~0').replace(/\//g, '~1') : scrubbed
}

function pointer (frame: Frame): string {
  let path = ''
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) path = `/${segment(f.key)}${path}`
  return path
}

function emailLocalPart (email: string): string {
  const at = email.lastIndexOf('@')
  return at === -1 ? email : email.slice(0, at)
}

function isIdentifierHoldingCard (value: string | number, key: string, parentPlace: Place | undefined): boolean {
  if (parentPlace === Place.ROOT) {
    if (ROOT_IDENTIFIERS.has(key)) return identifierIsCardNumber(value)
    if (key === 'email') return identifierIsCardNumber(typeof value === 'string' ? emailLocalPart(value) : value)
    return false
  }
  return parentPlace === Place.CARD && CARD_IDENTIFIERS.has(key) && identifierIsCardNumber(value)
}

function refusalOf (key: string, value: unknown, holder: Place): CardDataFinding['reason'] | undefined {
  const flags = flagsOf(key)
  if (flags === 0) return undefined
  if ((flags & IS_CARD_NAME) !== 0 && value !== null && value !== undefined && value !== '') return 'card_field_name'
  if ((flags & IS_CARD_NAME_BY_VALUE) !== 0 && isCardDataByValue(key, value)) return 'card_field_name'
  if ((flags & HOLDS_CARD_NUMBER) !== 0 && holder !== Place.METADATA) return 'card_number_in_field_name'
  return undefined
}

/**
 * Walks a request body (before schema validation, so the merchant learns to tokenize rather than
 * just "unknown field") and reports, by path only, every field that carries card data:
 * - a field named for card data (CARD_FIELD_NAMES) at any depth, metadata keys included;
 * - an identifier whose whole value is a card number (./identifier-card-number.ts);
 * - a field name holding a card number, except a metadata key (metadata keys are free text,
 *   scrubbed by normalizeCharge): any other such name is not a field of the charge, and would be
 *   echoed by the "unknown field" error.
 * Findings come in document order. The walk uses its own stack: any depth is walked.
 *
 * A body with no card data (nearly every one) is told by a first pass that allocates nothing per
 * field (holdsCardData); only a body with a finding is walked again to name the paths, in order.
 */
export function findCardData (body: unknown): CardDataFinding[] {
  return holdsCardData(body) ? cardDataFindings(body) : []
}

/**
 * Whether findCardData has a finding for the body: the same checks, field by field, without the
 * frames and paths that name where. Its stack holds each object or array to visit beside its place.
 * An array's elements are never identifiers (their keys are indexes, which name no identifier
 * field) nor refused by name: they are visited only when they are objects or arrays.
 */
function holdsCardData (body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false
  const stack: unknown[] = [body, Place.ROOT]
  while (stack.length > 0) {
    const place = stack.pop() as Place
    const node = stack.pop() as object
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const value: unknown = node[i]
        if (value !== null && typeof value === 'object') stack.push(value, Place.OTHER)
      }
      continue
    }
    const keys = Object.keys(node)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      const value = (node as Record<string, unknown>)[key]
      if (refusalOf(key, value, place) !== undefined) return true
      if (typeof value === 'string' || typeof value === 'number') {
        if (isIdentifierHoldingCard(value, key, place)) return true
      } else if (value !== null && typeof value === 'object') {
        stack.push(value, childPlace(place, key))
      }
    }
  }
  return false
}

/** every finding of the body, in document order, with its path */
export function cardDataFindings (body: unknown): CardDataFinding[] {
  const findings: CardDataFinding[] = []
  const stack: Frame[] = [{ value: body, place: Place.ROOT, key: '', parent: undefined, refusal: undefined }]
  while (stack.length > 0) {
    const frame = stack.pop() as Frame
    if (frame.refusal !== undefined) {
      findings.push({ path: pointer(frame), reason: frame.refusal })
      continue
    }
    const node = frame.value
    if (typeof node === 'string' || typeof node === 'number') {
      if (frame.parent !== undefined && isIdentifierHoldingCard(node, frame.key, frame.parent.place)) {
        findings.push({ path: pointer(frame), reason: 'card_number_in_identifier' })
      }
      continue
    }
    if (node === null || typeof node !== 'object') continue
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        stack.push({ value: node[i], place: Place.OTHER, key: String(i), parent: frame, refusal: undefined })
      }
      continue
    }
    const keys = Object.keys(node)
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string
      const value = (node as Record<string, unknown>)[key]
      stack.push({ value, place: childPlace(frame.place, key), key, parent: frame, refusal: refusalOf(key, value, frame.place) })
    }
  }
  return findings
}

function childPlace (place: Place, key: string): Place {
  if (place !== Place.ROOT) return Place.OTHER
  if (key === 'card') return Place.CARD
  if (key === 'metadata') return Place.METADATA
  return Place.OTHER
}
