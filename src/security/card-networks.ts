/**
 * The card networks' number ranges: what riskgate treats as a card number (with a valid Luhn check
 * digit, see ./card-number.ts). One table, read by the scrubber of free text and by the refusal of
 * identifiers, and by the property tests that generate a card of every network and every length.
 *
 * Facts, and where they come from:
 * - ISO/IEC 7812-1: a card number (PAN) has 8 to 19 digits; its first digit is the major industry
 *   identifier (MII), its leading 6 or 8 digits the issuer identification number (IIN), its last
 *   digit the Luhn (mod 10) check digit.
 * - The ranges and lengths below are those the networks publish, as collected in the "Payment card
 *   number" article of Wikipedia (IIN table, 2024). Where a network allows more lengths than it
 *   commonly issues, all of them are kept: a number scrubbed without need costs a few characters
 *   of a description; a card number kept is a PCI DSS breach. (Refusing an identifier is stricter,
 *   see ./identifier-card-number.ts.)
 * - Only 13 to 19 digits are considered (the design's contract): Maestro's 12-digit numbers are
 *   left out (12 digits is also the length of every UPC-A barcode and of many phone numbers).
 *
 * Numbers that are in no range are not card numbers, even when their Luhn check digit is valid:
 * they begin with 0 (ISO/TC 68 assignments), with 7 (petroleum), with 1 other than a 15-digit UATP
 * or a GPN 1946 number, with 8 other than 81, 82 and 8600, with 9 other than 9704, 9792 and 9860,
 * and so on. The tests keep an example of each.
 */
export interface CardNetwork {
  readonly name: string
  /**
   * Leading digits: a single prefix (`'4'`) or an inclusive range of prefixes of equal length
   * (`'2221-2720'`), at most 8 digits long.
   */
  readonly iin: readonly string[]
  /** The lengths of its card numbers, limited to 13-19. */
  readonly lengths: readonly number[]
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)

export const CARD_NETWORKS: readonly CardNetwork[] = [
  // 13 (legacy), 16 (today's), 19 (since 2015); Visa's VPay account ranges may specify any length
  // from 13 to 19. Visa Electron (4026, 417500, 4508, 4844, 4913, 4917: 16) and Elo's Visa-range
  // BINs are inside this range.
  { name: 'Visa', iin: ['4'], lengths: range(13, 19) },
  // 2-series since 2017; Diners Club US & Canada (54, 55: 16) is inside 51-55.
  { name: 'Mastercard', iin: ['51-55', '2221-2720'], lengths: [16] },
  { name: 'American Express', iin: ['34', '37'], lengths: [15] },
  // 622126-622925: UnionPay cards co-branded with Discover.
  { name: 'Discover', iin: ['6011', '644-649', '65', '622126-622925'], lengths: range(16, 19) },
  { name: 'JCB', iin: ['3528-3589'], lengths: range(16, 19) },
  { name: 'Diners Club International', iin: ['300-305', '3095', '36', '38-39'], lengths: range(14, 19) },
  { name: 'UnionPay', iin: ['62', '81'], lengths: range(16, 19) },
  // the scheme allows 12-19 digits; Maestro UK (6759, 676770, 676774) and the older Maestro
  // prefixes (5018, 5020, 5038, 5893, 6304, 6759, 6761-6763) are inside these ranges.
  { name: 'Maestro', iin: ['50', '56-69'], lengths: range(13, 19) },
  { name: 'Mir', iin: ['2200-2204'], lengths: range(16, 19) },
  { name: 'BORICA', iin: ['2205'], lengths: [16] },
  { name: 'RuPay', iin: ['60', '65', '81', '82', '508', '353', '356'], lengths: [16] },
  { name: 'Troy', iin: ['65', '9792'], lengths: [16] },
  { name: 'Verve', iin: ['506099-506198', '507865-507964', '650002-650027'], lengths: [16, 18, 19] },
  { name: 'Dankort', iin: ['5019'], lengths: [16] },
  { name: 'InterPayment', iin: ['636'], lengths: range(16, 19) },
  { name: 'InstaPayment', iin: ['637-639'], lengths: [16] },
  { name: 'UkrCard', iin: ['60400100-60420099'], lengths: range(16, 19) },
  { name: 'LankaPay', iin: ['357111'], lengths: [16] },
  { name: 'China T-Union', iin: ['31'], lengths: [19] },
  { name: 'NAPAS', iin: ['9704'], lengths: [16, 19] },
  { name: 'Humo', iin: ['9860'], lengths: [16] },
  { name: 'UzCard', iin: ['8600', '5614'], lengths: [16] },
  // Indonesia's national payment gateway; 50, 56, 58 and 60-63 are inside Maestro's ranges.
  { name: 'GPN', iin: ['1946', '50', '56', '58', '60-63'], lengths: [16, 18, 19] },
  // airline cards (Universal Air Travel Plan)
  { name: 'UATP', iin: ['1'], lengths: [15] }
]

export const CARD_NUMBER_MIN_LENGTH = 13
export const CARD_NUMBER_MAX_LENGTH = 19
