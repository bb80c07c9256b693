import { CARD_NUMBER_MAX_LENGTH, CARD_NUMBER_MIN_LENGTH } from './card-networks.js'
import { IIN_DIGITS, inCardNetworkRange } from './card-number.js'
import { OTHER, classifyCode, readChar } from './text-digits.js'

/** What a card number in free text is replaced with. */
export const CARD_NUMBER_PLACEHOLDER = '[card]'

/*
 * The scan. A "run" is a sequence of digits in which only separators (./text-digits.ts) stand
 * between two digits: `qty 2 4111 1111 1111 1111 12/27` is one run of 23 digits. Every window of
 * 13 to 19 consecutive digits of every run is a candidate; a candidate whose first 8 digits are in
 * a network's range for its length, and whose Luhn sum is 0 mod 10, is a card number. The
 * characters from its first to its last digit (its inner separators included) are replaced;
 * overlapping card numbers are replaced together, and everything else is kept.
 *
 * Cost: one pass over the characters (an ASCII character is one table read); a run of n >= 13
 * digits then costs O(n) more: the Luhn sum of any window is the difference of two prefix sums, and
 * each start position reads its 8-digit prefix once and checks at most 7 lengths. Runs shorter than
 * 13 digits cost nothing more. The buffers are reused: a text without a card number allocates
 * nothing.
 */

let values = new Uint8Array(256)
let starts = new Int32Array(256)
let ends = new Int32Array(256)
// Luhn prefix sums: sumA[k] is the sum over j < k of digit j taken as is when j is even and
// doubled (digits of 2d summed) when j is odd; sumB[k] the other way round
let sumA = new Int32Array(257)
let sumB = new Int32Array(257)
const charWidth = { width: 1 }

function grow (): void {
  const size = values.length * 2
  const nextValues = new Uint8Array(size)
  nextValues.set(values)
  values = nextValues
  const nextStarts = new Int32Array(size)
  nextStarts.set(starts)
  starts = nextStarts
  const nextEnds = new Int32Array(size)
  nextEnds.set(ends)
  ends = nextEnds
  sumA = new Int32Array(size + 1)
  sumB = new Int32Array(size + 1)
}

const DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]

/**
 * Finds the card numbers of the run held in the buffers (digits 0..n-1) and appends their
 * character spans [start, end) to `spans`.
 */
function scanRun (n: number, spans: number[] | null): number[] | null {
  for (let j = 0; j < n; j++) {
    const d = values[j] as number
    const doubled = DOUBLED[d] as number
    const even = (j & 1) === 0
    sumA[j + 1] = (sumA[j] as number) + (even ? d : doubled)
    sumB[j + 1] = (sumB[j] as number) + (even ? doubled : d)
  }
  let spanFrom = -1 // digit index where the pending span starts
  let spanTo = -1 // digit index after its last digit
  for (let s = 0; s + CARD_NUMBER_MIN_LENGTH <= n; s++) {
    let prefix = 0
    for (let k = s; k < s + IIN_DIGITS; k++) prefix = prefix * 10 + (values[k] as number)
    let end = -1
    const maxLength = Math.min(CARD_NUMBER_MAX_LENGTH, n - s)
    for (let length = maxLength; length >= CARD_NUMBER_MIN_LENGTH; length--) {
      const last = s + length - 1
      // the last digit (the check digit) is taken as is, the one before it doubled, and so on
      const sum = (last & 1) === 0
        ? (sumA[last + 1] as number) - (sumA[s] as number)
        : (sumB[last + 1] as number) - (sumB[s] as number)
      if (sum % 10 === 0 && inCardNetworkRange(prefix, length)) {
        end = s + length
        break
      }
    }
    if (end === -1) continue
    if (spanTo > s) {
      if (end > spanTo) spanTo = end
    } else {
      if (spanTo !== -1) (spans ??= []).push(starts[spanFrom] as number, ends[spanTo - 1] as number)
      spanFrom = s
      spanTo = end
    }
  }
  if (spanTo !== -1) (spans ??= []).push(starts[spanFrom] as number, ends[spanTo - 1] as number)
  return spans
}

// where a run of digits may start: an ASCII digit or any non-ASCII character. The scan skips ASCII
// text with the regular expression engine (much faster than a loop, or than a `\p{Nd}` class) and
// reads characters one by one from there, through non-ASCII text too (one table read each), until
// an ASCII character that is neither a digit nor a separator
const MAY_START_RUN = /[0-9\u0080-\uffff]/g

/** The [start, end) character spans of the card numbers in `text`, in order, or null when none. */
export function findCardNumberSpans (text: string): number[] | null {
  const length = text.length
  if (length < CARD_NUMBER_MIN_LENGTH) return null
  let spans: number[] | null = null
  let i = 0
  while (i < length) {
    MAY_START_RUN.lastIndex = i
    if (!MAY_START_RUN.test(text)) break
    i = MAY_START_RUN.lastIndex - 1
    let n = 0 // digits of the current run: digits with separators between them
    for (; i < length; i += charWidth.width) {
      const code = text.charCodeAt(i)
      let cls: number
      if (code < 0xD800 || code > 0xDFFF) {
        cls = classifyCode(code)
        charWidth.width = 1
      } else {
        cls = readChar(text, i, charWidth)
      }
      if (cls >= 0) {
        if (n === values.length) grow()
        values[n] = cls
        starts[n] = i
        ends[n] = i + charWidth.width
        n++
      } else if (cls === OTHER) {
        if (n >= CARD_NUMBER_MIN_LENGTH) spans = scanRun(n, spans)
        n = 0
        if (code < 128) break
      }
    }
    if (n >= CARD_NUMBER_MIN_LENGTH) spans = scanRun(n, spans)
    i++ // past the ASCII character that ended the run (or past the end)
  }
  return spans
}

/** True when the text holds a card number (in any rendering, see findCardNumberSpans). */
export function containsCardNumber (text: string): boolean {
  return findCardNumberSpans(text) !== null
}

/** Replaces every card number in the text with CARD_NUMBER_PLACEHOLDER; everything else stays. */
export function scrubCardNumbers (text: string): string {
  const spans = findCardNumberSpans(text)
  if (spans === null) return text
  let out = ''
  let from = 0
  for (let k = 0; k < spans.length; k += 2) {
    out += text.slice(from, spans[k]) + CARD_NUMBER_PLACEHOLDER
    from = spans[k + 1] as number
  }
  return out + text.slice(from)
}

/**
 * True when a JSON number (a metadata value) holds a card number. Integers up to 2^53 are read
 * exactly and scanned as their digits; above, JSON parsing has already changed the last digits, so
 * a 13-19 digit number is taken for a card number when its leading digits are in a network's range
 * for its length (the Luhn check cannot be made).
 */
export function numberHoldsCardNumber (value: number): boolean {
  if (!Number.isFinite(value)) return false
  const abs = Math.abs(value)
  if (abs < 1e12) return false
  if (!Number.isInteger(abs) || Number.isSafeInteger(abs)) return findCardNumberSpans(String(abs)) !== null
  const digits = BigInt(abs).toString()
  return digits.length <= CARD_NUMBER_MAX_LENGTH && inCardNetworkRange(Number(digits.slice(0, IIN_DIGITS)), digits.length)
}
