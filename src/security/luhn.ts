/** True when the ASCII digit string passes the Luhn (mod 10) check. */
export function isLuhnValid (digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return digits.length > 0 && sum % 10 === 0
}

/** The digit that, appended to `body` (ASCII digits), makes it Luhn-valid. */
export function luhnCheckDigit (body: string): number {
  let sum = 0
  let double = true
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48
    if (d < 0 || d > 9) throw new RangeError('luhnCheckDigit: digits only')
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return (10 - (sum % 10)) % 10
}
