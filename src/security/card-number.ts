import { CARD_NETWORKS, CARD_NUMBER_MAX_LENGTH, CARD_NUMBER_MIN_LENGTH } from './card-networks.js'
import { isLuhnValid } from './luhn.js'

/** The ranges are compared on this many leading digits (the longest IIN of the table). */
export const IIN_DIGITS = 8

/**
 * For each length 13-19, the networks' ranges as sorted, merged [low, high] pairs of 8-digit
 * prefixes (`'4'` is 40000000-49999999, `'2221-2720'` is 22210000-27209999).
 */
const RANGES_BY_LENGTH: ReadonlyArray<Int32Array> = compileRanges()

function compileRanges (): Int32Array[] {
  const byLength: Array<Array<[number, number]>> = Array.from({ length: CARD_NUMBER_MAX_LENGTH + 1 }, () => [])
  for (const network of CARD_NETWORKS) {
    for (const iin of network.iin) {
      const [from = '', to = from, extra] = iin.split('-')
      if (extra !== undefined || !/^[0-9]{1,8}$/.test(from) || !/^[0-9]{1,8}$/.test(to) || from.length !== to.length || from > to) {
        throw new Error(`card network ${network.name}: bad IIN range ${iin}`)
      }
      const scale = 10 ** (IIN_DIGITS - from.length)
      const bounds: [number, number] = [Number(from) * scale, (Number(to) + 1) * scale - 1]
      for (const length of network.lengths) {
        if (length < CARD_NUMBER_MIN_LENGTH || length > CARD_NUMBER_MAX_LENGTH) throw new Error(`card network ${network.name}: length ${length} out of 13-19`)
        byLength[length]?.push(bounds)
      }
    }
  }
  return byLength.map((ranges) => {
    ranges.sort((a, b) => a[0] - b[0])
    const merged: number[] = []
    for (const [low, high] of ranges) {
      const last = merged.length - 1
      if (last >= 0 && low <= (merged[last] as number) + 1) merged[last] = Math.max(merged[last] as number, high)
      else merged.push(low, high)
    }
    return Int32Array.from(merged)
  })
}

/**
 * True when a card number of `length` digits whose first 8 digits read `prefix8` would be in a
 * network's range (Luhn not checked).
 */
export function inCardNetworkRange (prefix8: number, length: number): boolean {
  const ranges = RANGES_BY_LENGTH[length]
  if (ranges === undefined) return false
  // binary search of the last range starting at or before prefix8
  let lo = 0
  let hi = ranges.length / 2 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    if ((ranges[mid * 2] as number) <= prefix8) lo = mid + 1
    else hi = mid - 1
  }
  return hi >= 0 && prefix8 <= (ranges[hi * 2 + 1] as number)
}

/** True when `digits` (ASCII digits only) is a card number: 13-19 digits, in a network's range, Luhn-valid. */
export function isCardNumber (digits: string): boolean {
  const length = digits.length
  if (length < CARD_NUMBER_MIN_LENGTH || length > CARD_NUMBER_MAX_LENGTH || !/^[0-9]+$/.test(digits)) return false
  return inCardNetworkRange(Number(digits.slice(0, IIN_DIGITS)), length) && isLuhnValid(digits)
}
