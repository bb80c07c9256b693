/**
 * How the card-number scan reads a character: a decimal digit (its value 0-9, in any script:
 * ASCII, full-width `４`, Thai `๔`, Arabic-Indic `٤`, mathematical `𝟒`...), a separator that may
 * stand between the digits of one number, or anything else (which ends a number).
 *
 * Separators: white space of every kind (incl. no-break, narrow no-break, ideographic), dashes and
 * hyphens, full stops, middle dots, slashes and backslashes, underscores, commas (each also in its
 * full-width form), and the invisible format characters (zero-width space and joiners, soft hyphen,
 * byte-order mark) that would let a number look whole on screen while splitting it in the text.
 */
export const SEPARATOR = -1
export const OTHER = -2

const ASCII: Int8Array = (() => {
  const table = new Int8Array(128).fill(OTHER)
  for (let d = 0; d <= 9; d++) table[48 + d] = d
  for (const c of ' \t\n\v\f\r-./\\_,') table[c.charCodeAt(0)] = SEPARATOR
  return table
})()

const IS_DIGIT = /^\p{Nd}$/u
const IS_SEPARATOR = /^[\p{Zs}\p{Zl}\p{Zp}\p{Pd}\p{Cf}\u0085\u00B7\u2024\u2027\u2044\u2212\u2215\u2216\u30FB\u3002\uFE50\uFE52\uFF0C\uFF0E\uFF0F\uFF3C\uFF3F\uFF61\uFF64\uFF65]$/u

/** Non-ASCII characters of the BMP, filled as met: 0 = not yet read, else class + 3. */
const BMP = new Int8Array(0x10000)
const ASTRAL = new Map<number, number>()

function classifyNonAscii (codePoint: number): number {
  const char = String.fromCodePoint(codePoint)
  if (IS_DIGIT.test(char)) {
    // Unicode encodes every set of decimal digits as 10 consecutive code points, 0 to 9, so the
    // value is the distance to the start of the run of digits, modulo 10
    let start = codePoint
    while (start > 0 && codePoint - start < 100 && IS_DIGIT.test(String.fromCodePoint(start - 1))) start--
    return (codePoint - start) % 10
  }
  return IS_SEPARATOR.test(char) ? SEPARATOR : OTHER
}

/** The class of a BMP code unit that is not a surrogate: 0-9 (a digit's value), SEPARATOR or OTHER. */
export function classifyCode (code: number): number {
  if (code < 128) return ASCII[code] as number
  const known = BMP[code] as number
  if (known !== 0) return known - 3
  const cls = classifyNonAscii(code)
  BMP[code] = cls + 3
  return cls
}

/** The class of a code point above the BMP (mathematical digits, for instance). */
export function classifyAstral (codePoint: number): number {
  let cls = ASTRAL.get(codePoint)
  if (cls === undefined) {
    cls = classifyNonAscii(codePoint)
    if (ASTRAL.size < 10_000) ASTRAL.set(codePoint, cls)
  }
  return cls
}

/**
 * Reads the character at `index`: returns its class and sets `width` (1, or 2 for a surrogate
 * pair). A lone surrogate is OTHER.
 */
export function readChar (text: string, index: number, out: { width: number }): number {
  const code = text.charCodeAt(index)
  if (code < 0xD800 || code > 0xDFFF) {
    out.width = 1
    return classifyCode(code)
  }
  const low = code <= 0xDBFF && index + 1 < text.length ? text.charCodeAt(index + 1) : 0
  if (low >= 0xDC00 && low <= 0xDFFF) {
    out.width = 2
    return classifyAstral(((code - 0xD800) << 10) + (low - 0xDC00) + 0x10000)
  }
  out.width = 1
  return OTHER
}
