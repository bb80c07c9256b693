import type { ChargeRow } from './charge-samples.js'
import { convertAmounts } from './rates.js'
import type { ExchangeRates } from './rates.js'
import { addToTally, newTally } from './stats.js'
import type { Tally } from './stats.js'

/**
 * The fraud the candidate still allows: charges with a fraud outcome (fraud, chargeback,
 * review_rejected; refunds with --refund fraud) that the candidate decides to allow. The list
 * holds the largest in the reporting currency with --rates, else the latest; `total` counts them all.
 */
export interface FraudAllowedReport {
  total: Tally
  order: 'largest' | 'latest'
  charges: ChargeRow[]
}

export class FraudAllowed {
  private readonly max: number
  private readonly rates: ExchangeRates | null
  private readonly total = newTally()
  /** largest first (with rates), or oldest first (without) */
  private readonly kept: Array<{ row: ChargeRow, value: number }> = []

  constructor (max: number, rates: ExchangeRates | null) {
    this.max = max
    this.rates = rates
  }

  add (currency: string, amount: number, row: () => ChargeRow): void {
    addToTally(this.total, currency, amount)
    if (this.max === 0) return
    if (this.rates === null) {
      if (this.kept.length === this.max) this.kept.shift()
      this.kept.push({ row: row(), value: 0 })
      return
    }
    const value = convertAmounts({ [currency]: amount }, this.rates).minor
    const last = this.kept[this.kept.length - 1]
    if (this.kept.length === this.max && last !== undefined && value <= last.value) return
    let i = this.kept.length
    while (i > 0 && (this.kept[i - 1] as { value: number }).value < value) i--
    this.kept.splice(i, 0, { row: row(), value })
    if (this.kept.length > this.max) this.kept.pop()
  }

  result (): FraudAllowedReport {
    const charges = this.kept.map((k) => k.row)
    return { total: this.total, order: this.rates === null ? 'latest' : 'largest', charges: this.rates === null ? charges.reverse() : charges }
  }
}
