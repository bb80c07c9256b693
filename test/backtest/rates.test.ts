import t from 'tap'
import { moneyFormat } from '../../src/backtest/money-format.js'
import { convertAmounts, parseRates } from '../../src/backtest/rates.js'

t.test('rates files: JSON and CSV, and what is refused', async (t) => {
  const cases: Array<{ name: string, text: string, format?: 'json' | 'csv', want: unknown }> = [
    { name: 'JSON', text: '{ "base": "USD", "rates": { "EUR": 1.08, "THB": 0.0286 } }', want: { ok: true, rates: { base: 'USD', rates: { EUR: 1.08, THB: 0.0286 } } } },
    { name: 'JSON with the base itself at 1', text: '{ "base": "USD", "rates": { "USD": 1, "JPY": 0.0067 } }', want: { ok: true, rates: { base: 'USD', rates: { USD: 1, JPY: 0.0067 } } } },
    { name: 'CSV with comments and blank lines', text: '# rates of 2026-11-30\nbase,currency,rate\n\nUSD,EUR,1.08\r\nUSD, THB ,0.0286\n', want: { ok: true, rates: { base: 'USD', rates: { EUR: 1.08, THB: 0.0286 } } } },
    { name: 'a UTF-8 byte order mark', text: '\uFEFFbase,currency,rate\nTHB,USD,35\n', want: { ok: true, rates: { base: 'THB', rates: { USD: 35 } } } },
    { name: 'not JSON', text: '{ "base": ', format: 'json', want: { ok: false, error: 'not JSON' } },
    { name: 'JSON without rates', text: '{ "base": "USD" }', want: { ok: false, error: '"rates" must be an object of currency code -> rate' } },
    { name: 'a lower-case base', text: '{ "base": "usd", "rates": {} }', want: { ok: false, error: '"base" must be a currency code of 3 capital letters (USD); got "usd"' } },
    { name: 'a rate that is not a number', text: '{ "base": "USD", "rates": { "EUR": "1.08" } }', want: { ok: false, error: 'the rate of EUR must be a positive number; got "1.08"' } },
    { name: 'a zero rate', text: '{ "base": "USD", "rates": { "EUR": 0 } }', want: { ok: false, error: 'the rate of EUR must be a positive number; got 0' } },
    { name: 'the base at another rate', text: '{ "base": "USD", "rates": { "USD": 2 } }', want: { ok: false, error: 'the rate of the base currency USD must be 1; got 2' } },
    { name: 'CSV without its header', text: 'USD,EUR,1.08\n', want: { ok: false, error: 'the first line must be the header base,currency,rate' } },
    { name: 'CSV with two bases', text: 'base,currency,rate\nUSD,EUR,1.08\nEUR,THB,0.026\n', want: { ok: false, error: 'line 3: every row must have the same base (USD); got EUR' } },
    { name: 'CSV with a missing rate', text: 'base,currency,rate\nUSD,EUR,\n', want: { ok: false, error: 'the rate of EUR must be a positive number; got null' } },
    { name: 'CSV with a currency twice', text: 'base,currency,rate\nUSD,EUR,1.08\nUSD,EUR,1.09\n', want: { ok: false, error: 'EUR is given twice' } },
    { name: 'CSV with no rate', text: 'base,currency,rate\n', want: { ok: false, error: 'no rates' } }
  ]
  for (const c of cases) t.same(parseRates(c.text, c.format), c.want, c.name)
})

t.test('amounts in minor units are converted through major units of each currency', async (t) => {
  const rates = { base: 'USD', rates: { THB: 0.03, JPY: 0.0065, KWD: 3.25 } }
  const cases: Array<{ amounts: Record<string, number>, minor: number, missing: Record<string, number> }> = [
    { amounts: { USD: 1050 }, minor: 1050, missing: {} },
    { amounts: { THB: 100_000 }, minor: 3000, missing: {} }, // THB 1,000.00 = USD 30.00
    { amounts: { JPY: 10_000 }, minor: 6500, missing: {} }, // no decimals: JPY 10,000 = USD 65.00
    { amounts: { KWD: 2500 }, minor: 812.5, missing: {} }, // three decimals: KWD 2.500 = USD 8.125
    { amounts: { USD: 100, THB: 100_000, EUR: 700 }, minor: 3100, missing: { EUR: 700 } },
    { amounts: { EUR: 0 }, minor: 0, missing: {} }
  ]
  for (const c of cases) t.same(convertAmounts(c.amounts, rates), { minor: c.minor, missing: c.missing }, JSON.stringify(c.amounts))
})

t.test('a report writes amounts in the reporting currency, currencies without a rate apart', async (t) => {
  const usd = moneyFormat({ base: 'USD', rates: { THB: 0.03 } })
  t.equal(usd.full({ THB: 100_000, USD: 1 }), 'USD 30.01')
  t.equal(usd.short({ THB: 100_000, EUR: 500 }), 'USD 30.00 + EUR 5.00 (no rate)')
  t.equal(usd.full({ EUR: 500 }), 'EUR 5.00 (no rate)')
  t.equal(usd.full({}), '-')
  t.same(usd.parts({ THB: 100_000 }), ['USD 30.00'])
  const perCurrency = moneyFormat(null)
  t.equal(perCurrency.full({ USD: 1000, THB: 100_000 }), 'THB 1,000.00 + USD 10.00')
  t.equal(perCurrency.short({ USD: 1000, THB: 100_000, EUR: 1 }), 'THB 1,000.00 (+2 currencies)')
  t.same(perCurrency.parts({ USD: 1000, THB: 100_000 }), ['THB 1,000.00', 'USD 10.00'])
})
