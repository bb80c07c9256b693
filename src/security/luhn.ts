/** True when the digit string passes the Luhn (mod 10) check. */
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

/**
 * A run of 13 to 19 digits, optionally grouped by single spaces or dashes ("4242 4242 4242 4242"),
 * not glued to other digits.
 */
const DIGIT_RUN = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g

export const CARD_NUMBER_PLACEHOLDER = '[card number removed]'

/** True when the text holds a Luhn-valid 13-19 digit run: what a card number looks like. */
export function containsCardNumber (text: string): boolean {
  DIGIT_RUN.lastIndex = 0
  for (const match of text.matchAll(DIGIT_RUN)) {
    if (isLuhnValid(match[0].replace(/[ -]/g, ''))) return true
  }
  return false
}

/** Replaces every Luhn-valid 13-19 digit run with a placeholder; other digits stay. */
export function scrubCardNumbers (text: string): string {
  if (!/[0-9]{4}/.test(text)) return text
  return text.replace(DIGIT_RUN, (run) => isLuhnValid(run.replace(/[ -]/g, '')) ? CARD_NUMBER_PLACEHOLDER : run)
}
