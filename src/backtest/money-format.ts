import { formatAmounts, formatMoney, PER_CURRENCY } from './money.js'
import type { Amounts, MoneyFormat } from './money.js'
import { convertAmounts } from './rates.js'
import type { ExchangeRates } from './rates.js'

/**
 * Amounts as a report writes them: converted into the reporting currency with the analyst's
 * rates, any currency the rates lack added apart (`USD 1,204.10 + KRW 5,000 (no rate)`); per
 * currency without rates.
 */
export function moneyFormat (rates: ExchangeRates | null): MoneyFormat {
  if (rates === null) return PER_CURRENCY
  const write = (amounts: Amounts): string => {
    const { minor, missing } = convertAmounts(amounts, rates)
    const rest = Object.keys(missing).length === 0 ? '' : ` + ${formatAmounts(missing)} (no rate)`
    if (minor === 0 && Object.values(amounts).every((v) => v === 0)) return '-'
    if (minor === 0 && rest !== '') return rest.slice(3)
    return `${formatMoney(rates.base, Math.round(minor))}${rest}`
  }
  return {
    base: rates.base,
    full: write,
    short: write,
    parts: (amounts) => [write(amounts)]
  }
}
