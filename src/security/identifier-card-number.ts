import { CARD_NUMBER_MAX_LENGTH, CARD_NUMBER_MIN_LENGTH } from './card-networks.js'
import { IIN_DIGITS, inCardNetworkRange, isCardNumber } from './card-number.js'
import { OTHER, SEPARATOR, readChar } from './text-digits.js'

/*
 * An identifier field (charge_id, customer_id, the card's fingerprint, bin, last4, brand and
 * funding, the email's local part) is refused when its WHOLE value, separators removed, is a card
 * number: `4111 1111 1111 1111`, `4111-1111-1111-1111`, `４１１１１１１１１１１１１１１１`. An identifier
 * that merely contains digits (`ord-1764867701237-5`, a UUID, `chrg_test_5xp6...`) is never
 * refused: it is the merchant's own, and refusing it refuses the merchant's charge.
 *
 * Two shapes of card number are not refused as a whole identifier, because they are far more
 * often something else (they are still scrubbed from free text):
 * - 13 digits. 13-digit card numbers are legacy Visa numbers and Maestro numbers (whose rules
 *   allow 12 to 19 digits); 13 digits is also the length of every EAN-13/JAN barcode (most begin
 *   with 4, 5 or 6, like Visa and Maestro numbers), of millisecond timestamps and of today's
 *   13-digit sequential database ids. One in ten of them would pass the Luhn check.
 * - A first digit of 1 (UATP's 15-digit airline cards, GPN's 1946 range): millisecond,
 *   microsecond and nanosecond Unix timestamps, snowflake ids and 15-digit social-network user ids
 *   all begin with 1 until the 2030s.
 */
export function readsAsOtherIdentifier (digits: string): boolean {
  return digits.length === 13 || digits.charCodeAt(0) === 49 // '1'
}

const charWidth = { width: 1 }

/**
 * The ASCII digits of `text` when it is made only of 13 to 19 digits (in any script) and
 * separators, else undefined.
 */
export function wholeValueDigits (text: string): string | undefined {
  // 19 digits, each at most 2 UTF-16 units, with separators: anything much longer is not a number
  if (text.length > 200) return undefined
  let digits = ''
  for (let i = 0; i < text.length; i += charWidth.width) {
    const cls = readChar(text, i, charWidth)
    if (cls === OTHER) return undefined
    if (cls === SEPARATOR) continue
    if (digits.length === CARD_NUMBER_MAX_LENGTH) return undefined
    digits += String(cls)
  }
  return digits.length >= CARD_NUMBER_MIN_LENGTH ? digits : undefined
}

/** True when an identifier's whole value is a card number that must be refused (see above). */
export function identifierIsCardNumber (value: string | number): boolean {
  if (typeof value === 'number') return numberIdentifierIsCardNumber(value)
  const digits = wholeValueDigits(value)
  return digits !== undefined && isCardNumber(digits) && !readsAsOtherIdentifier(digits)
}

function numberIdentifierIsCardNumber (value: number): boolean {
  if (!Number.isInteger(value)) return false
  const abs = Math.abs(value)
  if (Number.isSafeInteger(abs)) return identifierIsCardNumber(String(abs))
  // above 2^53 JSON parsing has already changed the last digits: the Luhn check cannot be made,
  // the network range can
  const digits = BigInt(abs).toString()
  return digits.length <= CARD_NUMBER_MAX_LENGTH &&
    inCardNetworkRange(Number(digits.slice(0, IIN_DIGITS)), digits.length) &&
    !readsAsOtherIdentifier(digits)
}
