/**
 * Amounts in minor units per currency: a backtest never adds satang to cents. ISO 4217 minor
 * units: most currencies have 2 decimals; these have none or 3.
 */
export type Amounts = Record<string, number>

const ZERO_DECIMAL: ReadonlySet<string> = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'
])
const THREE_DECIMAL: ReadonlySet<string> = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'])

export function minorUnitDigits (currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : THREE_DECIMAL.has(currency) ? 3 : 2
}

export function addAmount (amounts: Amounts, currency: string, amount: number): void {
  amounts[currency] = (amounts[currency] ?? 0) + amount
}

export function mergeAmounts (into: Amounts, from: Amounts): void {
  for (const [currency, amount] of Object.entries(from)) addAmount(into, currency, amount)
}

/** `THB 1,234.50` */
export function formatMoney (currency: string, minor: number): string {
  const digits = minorUnitDigits(currency)
  const value = minor / 10 ** digits
  return `${currency} ${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`
}

/** `THB 1,234.50 + USD 10.00`, largest first; `-` when empty */
export function formatAmounts (amounts: Amounts): string {
  const entries = Object.entries(amounts).filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  return entries.length === 0 ? '-' : entries.map(([c, v]) => formatMoney(c, v)).join(' + ')
}

/** the largest currency only, and how many others there are: `THB 1,234.50 (+2 currencies)` */
export function formatAmountsShort (amounts: Amounts): string {
  const entries = Object.entries(amounts).filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const first = entries[0]
  if (first === undefined) return '-'
  const more = entries.length - 1
  return `${formatMoney(first[0], first[1])}${more === 0 ? '' : ` (+${more} ${more === 1 ? 'currency' : 'currencies'})`}`
}

/** How a report writes amounts: per currency, or in one reporting currency (src/backtest/rates.ts). */
export interface MoneyFormat {
  /** the reporting currency, or null when amounts stay per currency */
  readonly base: string | null
  /** every currency (`THB 1,234.50 + USD 10.00`), or the converted total (`USD 45.20`, then any currency without a rate) */
  full: (amounts: Amounts) => string
  /** one figure: the converted total, or the largest currency and how many others there are */
  short: (amounts: Amounts) => string
  /** each currency on its own, largest first: `[['THB', 'THB 1,234.50'], ...]` */
  parts: (amounts: Amounts) => string[]
}

export const PER_CURRENCY: MoneyFormat = {
  base: null,
  full: formatAmounts,
  short: formatAmountsShort,
  parts: (amounts) => Object.entries(amounts).filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, v]) => formatMoney(c, v))
}
