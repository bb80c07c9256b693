import fc from 'fast-check'
import { CARD_NETWORKS } from '../../src/security/card-networks.js'
import { luhnCheckDigit } from '../../src/security/luhn.js'

/**
 * Generators shared by the card-data tests: card numbers of every network and length of the table,
 * rendered every way a person or a form writes them, with neighbours; and the identifiers
 * merchants really send.
 */

export interface GeneratedCard {
  network: string
  /** ASCII digits */
  digits: string
}

/** One (network, IIN entry, length) of the table: every length of every range is generated. */
const CARD_SHAPES = CARD_NETWORKS.flatMap((network) =>
  network.iin.flatMap((iin) => network.lengths.map((length) => ({ network: network.name, iin, length }))))

export const cardShapeCount = CARD_SHAPES.length

const digitString = (length: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(''))

/** A card number of a network of the table: IIN in range, valid length, valid Luhn check digit. */
export const cardNumber: fc.Arbitrary<GeneratedCard> = fc.constantFrom(...CARD_SHAPES).chain(({ network, iin, length }) => {
  const [from = '', to = from] = iin.split('-')
  return fc.tuple(fc.integer({ min: Number(from), max: Number(to) }), fc.constant(from.length))
    .chain(([prefix, prefixLength]) => {
      const head = String(prefix).padStart(prefixLength, '0')
      return digitString(length - 1 - head.length).map((body) => {
        const partial = head + body
        return { network, digits: partial + String(luhnCheckDigit(partial)) }
      })
    })
})

/**
 * Prefixes in no network's range for any length 13-19 (see src/security/card-networks.ts): 0
 * (ISO/TC 68), 7 (petroleum), 33, 85, 87, 90-96, 99. (1 is in no range either, but for UATP's
 * 15 digits and GPN's 1946.)
 */
export const NO_NETWORK_PREFIXES = ['0', '7', '33', '85', '87', '90', '91', '95', '96', '99']

/** Zero code points of the digit scripts the renderings use. */
const DIGIT_ZEROS = {
  ascii: 0x30,
  fullWidth: 0xFF10,
  thai: 0x0E50,
  arabicIndic: 0x0660,
  devanagari: 0x0966,
  mathBold: 0x1D7CE
} as const

const SEPARATORS = [' ', '  ', '-', '.', '/', '\u00A0', '\u202F', '\u3000', '_', '\u2013', '\u200B', ' - ', ' / ', '\u00A0\u00A0', '\u2010', '\uFF0D', '\uFF0E', ','] as const

/** Every character a rendering puts between digits (the test's own list, not the scanner's). */
export const RENDERING_SEPARATORS = /[ \u00A0\u202F\u3000_\u2013\u200B\u2010\uFF0D\uFF0E,./-]/gu

/** ASCII digits of a text whose digits are in any of the scripts above. */
export function asciiDigits (text: string): string {
  let out = ''
  for (const char of text) {
    const code = char.codePointAt(0) as number
    let mapped = char
    for (const zero of Object.values(DIGIT_ZEROS)) {
      if (code >= zero && code <= zero + 9) mapped = String(code - zero)
    }
    out += mapped
  }
  return out
}

export interface Rendering {
  /** the card number as written */
  text: string
  style: string
}

function groups (digits: string, sizes: readonly number[]): string[] {
  const out: string[] = []
  let at = 0
  for (const size of sizes) {
    if (at >= digits.length) break
    out.push(digits.slice(at, at + size))
    at += size
  }
  if (at < digits.length) out.push(digits.slice(at))
  return out
}

function script (digits: string, zero: number): string {
  return [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('')
}

/** The card number written with every separator style, group shape and digit script. */
export function rendering (card: GeneratedCard): fc.Arbitrary<Rendering> {
  const { digits } = card
  const scriptName = fc.constantFrom(...Object.keys(DIGIT_ZEROS) as Array<keyof typeof DIGIT_ZEROS>)
  const groupSizes = fc.oneof(
    fc.constant([4, 4, 4, 4, 4]),
    fc.constant([4, 6, 5]), // American Express
    fc.constant([4, 6, 4]), // Diners Club 14
    fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 19 }) // any grouping
  )
  return fc.oneof(
    fc.constant({ text: digits, style: 'plain' }),
    fc.tuple(groupSizes, fc.constantFrom(...SEPARATORS)).map(([sizes, sep]) =>
      ({ text: groups(digits, sizes).join(sep), style: `groups ${sizes.join('-')} by ${JSON.stringify(sep)}` })),
    fc.tuple(groupSizes, fc.array(fc.constantFrom(...SEPARATORS), { minLength: 19, maxLength: 19 })).map(([sizes, seps]) => {
      const parts = groups(digits, sizes)
      return { text: parts.map((p, i) => i === 0 ? p : (seps[i] as string) + p).join(''), style: 'mixed separators' }
    }),
    fc.tuple(scriptName, groupSizes, fc.constantFrom('', ...SEPARATORS)).map(([name, sizes, sep]) =>
      ({ text: groups(digits, sizes).map((g) => script(g, DIGIT_ZEROS[name])).join(sep), style: `${name} digits by ${JSON.stringify(sep)}` })),
    fc.array(scriptName, { minLength: digits.length, maxLength: digits.length }).map((names) =>
      ({ text: [...digits].map((d, i) => script(d, DIGIT_ZEROS[names[i] as keyof typeof DIGIT_ZEROS])).join(''), style: 'mixed scripts' }))
  )
}

/** What stands before and after a card number in free text. */
export const before = fc.constantFrom('', 'qty 2 ', '2 ', '2', '12', 'x', 'card: ', '#', '(', 'ref 0001-', 'pay with ', '\n', '9 ', 'order 42, card ', 'x'.repeat(200) + ' ')
export const after = fc.constantFrom('', ' 12/27', '12/27', ' 12/2027', ' exp 12/27 cvv 123', '9', '123', ')', '.', ',', ' thanks', 'abc', '-0', ' 3', '\t5')

/** A card number in free text: [text, rendering]. */
export const cardInText: fc.Arbitrary<{ card: GeneratedCard, rendering: Rendering, text: string }> =
  cardNumber.chain((card) => fc.tuple(rendering(card), before, after).map(([r, b, a]) => ({ card, rendering: r, text: b + r.text + a })))

// ---------------------------------------------------------------------------------------------
// identifiers merchants send

const MS_2015 = Date.UTC(2015, 0, 1)
const MS_2035 = Date.UTC(2035, 0, 1)
const msTimestamp = fc.integer({ min: MS_2015, max: MS_2035 })
const TWITTER_EPOCH = 1288834974657
const DISCORD_EPOCH = 1420070400000

const base62 = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: min, maxLength: max })

/** EAN-13 / UPC-A check digit (GS1: weights 3 and 1 from the right, check digit excluded). */
export function gs1CheckDigit (body: string): number {
  let sum = 0
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) sum += Number(body[i]) * weight
  return (10 - (sum % 10)) % 10
}

// GS1 prefixes of the countries whose products merchants sell most (US, France, Germany, Japan,
// UK, Denmark, China, Switzerland, Italy, Spain, Netherlands, Thailand, Singapore, Indonesia,
// Malaysia, books)
const GS1_PREFIXES = ['00', '01', '03', '06', '30', '34', '37', '40', '42', '44', '45', '49', '50', '57', '69', '76', '80', '84', '87', '885', '888', '899', '955', '978', '979']
const ean13 = fc.tuple(fc.constantFrom(...GS1_PREFIXES), digitString(12)).map(([prefix, rest]) => {
  const body = (prefix + rest).slice(0, 12)
  return body + String(gs1CheckDigit(body))
})
const upcA = digitString(11).map((body) => body + String(gs1CheckDigit(body)))

// snowflake ids issued since 2023: 19 digits that begin with 1. (Older ones had 17-18 digits and
// began with 5-9, where Maestro, UnionPay and RuPay numbers begin: one in ten of those is exactly
// the shape of a card number and is refused, see card-data.test.ts.)
const snowflake = fc.tuple(fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2026, 11, 31) }), fc.integer({ min: 0, max: 2 ** 22 - 1 }), fc.constantFrom(TWITTER_EPOCH, DISCORD_EPOCH))
  .map(([ms, low, epoch]) => ((BigInt(ms - epoch) << 22n) | BigInt(low)).toString())

const datePart = msTimestamp.map((ms) => new Date(ms).toISOString().replace(/[^0-9]/g, '')) // 17 digits: yyyymmddhhmmssSSS

/** Numeric ids of 1 to 19 digits, as order and customer systems issue them. */
export const numericId: fc.Arbitrary<string> = fc.oneof(
  // sequences: 1 to 12 digits
  fc.integer({ min: 1, max: 12 }).chain((n) => fc.bigInt({ min: 10n ** BigInt(n - 1), max: 10n ** BigInt(n) - 1n })).map(String),
  // zero-padded sequences, 13 to 19 digits
  fc.tuple(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 13, max: 19 })).map(([n, width]) => String(n).padStart(width, '0')),
  // date-based: yyyymmdd + sequence, yyyymmddhhmmss + sequence
  fc.tuple(datePart, fc.integer({ min: 8, max: 17 }), digitString(2)).map(([date, cut, seq]) => (date.slice(0, cut) + seq).slice(0, 19)),
  msTimestamp.map(String), // 13 digits
  fc.tuple(msTimestamp, fc.integer({ min: 0, max: 999 })).map(([ms, seq]) => `${ms}${seq}`), // 14-16 digits
  fc.tuple(msTimestamp, fc.integer({ min: 0, max: 999 })).map(([ms, us]) => `${ms}${String(us).padStart(3, '0')}`), // microseconds
  fc.tuple(msTimestamp, fc.integer({ min: 0, max: 999_999 })).map(([ms, ns]) => `${ms}${String(ns).padStart(6, '0')}`), // nanoseconds
  snowflake,
  digitString(11).map((rest) => `1000${rest}`) // 15-digit social-network user ids
)

/** Ids around a millisecond or nanosecond timestamp: `ord-1764867701237-5`. */
const timestampId = fc.tuple(
  fc.constantFrom('ord-', 'order_', 'INV-', 'ch_', 'pay-', 'evt_', 'ORD', '', 'cart:'),
  fc.oneof(msTimestamp.map(String), fc.tuple(msTimestamp, fc.integer({ min: 0, max: 999_999 })).map(([ms, ns]) => `${ms}${String(ns).padStart(6, '0')}`)),
  fc.constantFrom('-', '_', '.', '/', ''),
  fc.integer({ min: 0, max: 9999 })
).map(([prefix, ts, sep, seq]) => `${prefix}${ts}${sep === '' ? '' : sep + String(seq)}`)

const gatewayId = fc.tuple(
  fc.constantFrom('chrg_test_', 'chrg_', 'cust_test_', 'cust_', 'card_test_', 'tokn_test_', 'ch_', 'cus_', 'pi_', 'pm_', 'card_'),
  base62(14, 24)
).map(([prefix, rest]) => prefix + rest)

const uuid = fc.tuple(fc.uuid(), fc.constantFrom('plain', 'upper', 'compact')).map(([u, style]) =>
  style === 'upper' ? u.toUpperCase() : style === 'compact' ? u.replace(/-/g, '') : u)

const barcode = fc.tuple(fc.oneof(ean13, upcA), fc.constantFrom('plain', 'printed', 'sku')).map(([code, style]) =>
  style === 'printed' ? `${code.slice(0, 1)} ${code.slice(1, 7)} ${code.slice(7)}` : style === 'sku' ? `SKU-${code}` : code)

export const realisticIdentifier: fc.Arbitrary<{ kind: string, value: string }> = fc.oneof(
  timestampId.map((value) => ({ kind: 'timestamp id', value })),
  numericId.map((value) => ({ kind: 'numeric id', value })),
  barcode.map((value) => ({ kind: 'barcode', value })),
  uuid.map((value) => ({ kind: 'uuid', value })),
  gatewayId.map((value) => ({ kind: 'gateway id', value }))
)
