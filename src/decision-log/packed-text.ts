/**
 * Packed text: JSON values (null, booleans, numbers, strings, arrays, plain objects) as a compact
 * text, for the records kept at rest (src/decision-log/codec.ts). Where JSON spends two quotes
 * around a string, brackets around an array, a comma after every value and up to 16 decimal
 * digits on a number, packed text spends one tag character in front of a value and writes
 * integers in base 128.
 *
 * Every value starts with a tag, a character below U+0080:
 *
 * | tag | value |
 * |---|---|
 * | U+0000..U+003F | the integer 0..63 itself |
 * | U+0040..U+005F | a string of 0..31 UTF-16 code units: they follow as they are |
 * | U+0060..U+006F | an array of 0..15 values: they follow |
 * | U+0070, U+0071, U+0072 | null, true, false |
 * | U+0073..U+0079 | a non-negative integer of 1..7 base-128 digits (most significant first, each a character below U+0080) |
 * | U+007A | the negation of the integer that follows |
 * | U+007B | a number as JSON writes it (a fraction, or beyond 2^49): the string that follows |
 * | U+007C | a string: its length (an integer value), then its code units |
 * | U+007D | an array: its length, then its values |
 * | U+007E | an object: its number of members, then each member's key (a string value) and value |
 * | U+007F | a string that is not well-formed UTF-16 (a lone surrogate): its JSON text, as a string value |
 *
 * A string's code units are kept as they are, so the text is as long as JSON's in them and a
 * string of any script costs no escapes. Structure is ASCII, and a well-formed string goes
 * through UTF-8 (Redis, a file) unchanged; a lone surrogate, which UTF-8 cannot carry, is kept as
 * JSON's escape. What JSON would not keep, packed text does not either: `undefined` in an array
 * and a number that is not finite are null, an object member whose value is `undefined` is left
 * out, and -0 is 0.
 */

const SMALL_INT = 0x00
const SMALL_INT_END = 0x40
const SHORT_STRING = 0x40
const SHORT_STRING_MAX = 31
const SHORT_ARRAY = 0x60
const SHORT_ARRAY_MAX = 15
const NULL = 0x70
const TRUE = 0x71
const FALSE = 0x72
/** tag of an integer of 1 digit; of k digits: UINT + k - 1 */
const UINT = 0x73
const UINT_MAX_DIGITS = 7
const NEGATIVE = 0x7a
const NUMBER_TEXT = 0x7b
const LONG_STRING = 0x7c
const LONG_ARRAY = 0x7d
const OBJECT = 0x7e
const ILL_FORMED_STRING = 0x7f

/** the largest integer kept in base 128 (7 digits): 2^49 - 1 */
const UINT_LIMIT = 128 ** UINT_MAX_DIGITS

export type PackedValue = null | boolean | number | string | readonly PackedValue[] | { readonly [key: string]: PackedValue | undefined }

/** The packed text of a value. */
export function pack (value: PackedValue | undefined): string {
  return packValue(value, '')
}

function packValue (value: PackedValue | undefined, out: string): string {
  switch (typeof value) {
    case 'number': return packNumber(value, out)
    case 'string': return packString(value, out)
    case 'boolean': return out + String.fromCharCode(value ? TRUE : FALSE)
    case 'object': {
      if (value === null) return out + String.fromCharCode(NULL)
      if (Array.isArray(value)) {
        const values = value as readonly PackedValue[]
        out = values.length <= SHORT_ARRAY_MAX
          ? out + String.fromCharCode(SHORT_ARRAY + values.length)
          : packInteger(values.length, out + String.fromCharCode(LONG_ARRAY))
        for (let i = 0; i < values.length; i++) out = packValue(values[i], out)
        return out
      }
      return packObject(value as { readonly [key: string]: PackedValue | undefined }, out)
    }
    default: return out + String.fromCharCode(NULL)
  }
}

function packObject (value: { readonly [key: string]: PackedValue | undefined }, out: string): string {
  const keys = Object.keys(value)
  let members = 0
  for (const key of keys) if (value[key] !== undefined) members++
  out = packInteger(members, out + String.fromCharCode(OBJECT))
  for (const key of keys) {
    const member = value[key]
    if (member !== undefined) out = packValue(member, packString(key, out))
  }
  return out
}

function packNumber (value: number, out: string): string {
  if (Number.isInteger(value)) {
    if (value >= 0 && value < UINT_LIMIT) return packInteger(value, out)
    if (value < 0 && value > -UINT_LIMIT) return packInteger(-value, out + String.fromCharCode(NEGATIVE))
  }
  if (!Number.isFinite(value)) return out + String.fromCharCode(NULL)
  return packString(String(value), out + String.fromCharCode(NUMBER_TEXT))
}

/** a non-negative integer below UINT_LIMIT */
function packInteger (value: number, out: string): string {
  if (value < SMALL_INT_END) return out + String.fromCharCode(SMALL_INT + value)
  let digits = ''
  let rest = value
  while (rest > 0) {
    digits = String.fromCharCode(rest % 128) + digits
    rest = Math.floor(rest / 128)
  }
  return out + String.fromCharCode(UINT + digits.length - 1) + digits
}

function packString (value: string, out: string): string {
  if (!value.isWellFormed()) return packString(JSON.stringify(value), out + String.fromCharCode(ILL_FORMED_STRING))
  if (value.length <= SHORT_STRING_MAX) return out + String.fromCharCode(SHORT_STRING + value.length) + value
  return packInteger(value.length, out + String.fromCharCode(LONG_STRING)) + value
}

/** What a text does not hold: it was not written by `pack`, or was cut short. */
export class PackedTextError extends Error {
  override name = 'PackedTextError'
}

/** The value of a packed text (throws PackedTextError if the text is not one value, whole). */
export function unpack (text: string): unknown {
  const reader = new Reader(text)
  const value = reader.value()
  if (reader.at !== text.length) throw new PackedTextError('packed text: more after its value')
  return value
}

/**
 * The first `count` values of a packed array, without reading the rest (throws PackedTextError if
 * the text does not start with an array of at least `count` values).
 */
export function unpackHead (text: string, count: number): unknown[] {
  const reader = new Reader(text)
  const length = reader.arrayLength()
  if (length < count) throw new PackedTextError('packed text: a shorter array')
  const values: unknown[] = []
  for (let i = 0; i < count; i++) values.push(reader.value())
  return values
}

class Reader {
  at = 0
  private readonly text: string
  constructor (text: string) {
    this.text = text
  }

  private tag (): number {
    if (this.at >= this.text.length) throw new PackedTextError('packed text: cut short')
    return this.text.charCodeAt(this.at++)
  }

  value (): unknown {
    const tag = this.tag()
    if (tag < SMALL_INT_END) return tag - SMALL_INT
    if (tag < SHORT_ARRAY) return this.chars(tag - SHORT_STRING)
    if (tag < NULL) return this.values(tag - SHORT_ARRAY)
    switch (tag) {
      case NULL: return null
      case TRUE: return true
      case FALSE: return false
      case NEGATIVE: return -this.integer()
      case NUMBER_TEXT: return Number(this.string())
      case LONG_STRING: return this.chars(this.integer())
      case LONG_ARRAY: return this.values(this.integer())
      case OBJECT: {
        const members = this.integer()
        const out: Record<string, unknown> = {}
        for (let i = 0; i < members; i++) {
          const key = this.string()
          // as JSON.parse does: a member named __proto__ is the object's own, not its prototype
          Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true })
        }
        return out
      }
      case ILL_FORMED_STRING: return JSON.parse(this.string()) as string
      default:
        if (tag < UINT || tag >= UINT + UINT_MAX_DIGITS) throw new PackedTextError('packed text: not a tag')
        return this.digits(tag - UINT + 1)
    }
  }

  /** the length of the array that starts here */
  arrayLength (): number {
    const tag = this.tag()
    if (tag >= SHORT_ARRAY && tag < NULL) return tag - SHORT_ARRAY
    if (tag === LONG_ARRAY) return this.integer()
    throw new PackedTextError('packed text: not an array')
  }

  private integer (): number {
    const value = this.value()
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new PackedTextError('packed text: not a length')
    return value
  }

  private string (): string {
    const value = this.value()
    if (typeof value !== 'string') throw new PackedTextError('packed text: not a string')
    return value
  }

  private digits (count: number): number {
    if (this.at + count > this.text.length) throw new PackedTextError('packed text: cut short')
    let value = 0
    for (let i = 0; i < count; i++) {
      const digit = this.text.charCodeAt(this.at++)
      if (digit >= 128) throw new PackedTextError('packed text: not a digit')
      value = value * 128 + digit
    }
    return value
  }

  private chars (count: number): string {
    if (this.at + count > this.text.length) throw new PackedTextError('packed text: cut short')
    const value = this.text.slice(this.at, this.at + count)
    this.at += count
    return value
  }

  private values (count: number): unknown[] {
    const out: unknown[] = new Array(count)
    for (let i = 0; i < count; i++) out[i] = this.value()
    return out
  }
}
