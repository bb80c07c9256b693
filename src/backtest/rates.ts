import type { Amounts } from './money.js'
import { minorUnitDigits } from './money.js'

/**
 * Exchange rates the analyst provides (`riskgate backtest --rates <file>`) so that amounts in
 * several currencies add up in one reporting currency. A backtest never looks rates up.
 */
export interface ExchangeRates {
  /** the reporting currency */
  base: string
  /** units of `base` one unit of the currency is worth (major units: 1 EUR = 1.08 USD); the base itself is 1 */
  rates: Readonly<Record<string, number>>
}

const CURRENCY = /^[A-Z]{3}$/

type Parsed = { ok: true, rates: ExchangeRates } | { ok: false, error: string }

function build (base: unknown, entries: ReadonlyArray<readonly [string, unknown]>): Parsed {
  if (typeof base !== 'string' || !CURRENCY.test(base)) return { ok: false, error: `"base" must be a currency code of 3 capital letters (USD); got ${JSON.stringify(base)}` }
  const rates: Record<string, number> = {}
  for (const [currency, rate] of entries) {
    if (!CURRENCY.test(currency)) return { ok: false, error: `${JSON.stringify(currency)} is not a currency code of 3 capital letters` }
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) return { ok: false, error: `the rate of ${currency} must be a positive number; got ${JSON.stringify(rate)}` }
    if (currency === base && rate !== 1) return { ok: false, error: `the rate of the base currency ${base} must be 1; got ${rate}` }
    if (currency in rates) return { ok: false, error: `${currency} is given twice` }
    rates[currency] = rate
  }
  return { ok: true, rates: { base, rates } }
}

function parseJson (text: string): Parsed {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, error: 'not JSON' }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'expected an object { "base": "USD", "rates": { "EUR": 1.08 } }' }
  const { base, rates } = value as Record<string, unknown>
  if (rates === null || typeof rates !== 'object' || Array.isArray(rates)) return { ok: false, error: '"rates" must be an object of currency code -> rate' }
  return build(base, Object.entries(rates))
}

function parseCsv (text: string): Parsed {
  const lines = text.split(/\r?\n/).map((line, i) => ({ line: line.trim(), n: i + 1 })).filter((l) => l.line !== '' && !l.line.startsWith('#'))
  const header = lines.shift()
  if (header?.line.toLowerCase().replace(/\s/g, '') !== 'base,currency,rate') return { ok: false, error: 'the first line must be the header base,currency,rate' }
  let base: string | undefined
  const entries: Array<readonly [string, unknown]> = []
  for (const { line, n } of lines) {
    const cells = line.split(',').map((c) => c.trim())
    if (cells.length !== 3) return { ok: false, error: `line ${n}: expected base,currency,rate` }
    const [rowBase, currency, rate] = cells as [string, string, string]
    if (base === undefined) base = rowBase
    else if (rowBase !== base) return { ok: false, error: `line ${n}: every row must have the same base (${base}); got ${rowBase}` }
    entries.push([currency, rate === '' ? Number.NaN : Number(rate)])
  }
  if (base === undefined) return { ok: false, error: 'no rates' }
  return build(base, entries)
}

/**
 * Reads a rates file. JSON: `{ "base": "USD", "rates": { "EUR": 1.08, "THB": 0.0286 } }`; CSV: a
 * header `base,currency,rate` then one rate a line (`USD,EUR,1.08`), every line with the same
 * base; blank lines and `#` comments are ignored. A rate is what one unit of the currency is worth
 * in the base currency. `format` defaults to the first character: `{` is JSON.
 */
export function parseRates (text: string, format?: 'json' | 'csv'): Parsed {
  const body = text.replace(/^\uFEFF/, '')
  const kind = format ?? (body.trimStart().startsWith('{') ? 'json' : 'csv')
  return kind === 'json' ? parseJson(body) : parseCsv(body)
}

export interface Converted {
  /** the total in minor units of the base currency (not rounded) */
  minor: number
  /** amounts in currencies the rates do not give, left as they are */
  missing: Amounts
}

/** Per-currency amounts in minor units into minor units of the base currency. */
export function convertAmounts (amounts: Amounts, rates: ExchangeRates): Converted {
  const baseScale = 10 ** minorUnitDigits(rates.base)
  let minor = 0
  const missing: Amounts = {}
  for (const [currency, value] of Object.entries(amounts)) {
    if (value === 0) continue
    if (currency === rates.base) {
      minor += value
      continue
    }
    const rate = rates.rates[currency]
    if (rate === undefined) missing[currency] = value
    else minor += (value / 10 ** minorUnitDigits(currency)) * rate * baseScale
  }
  return { minor, missing }
}
