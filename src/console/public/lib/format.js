// Formatting values for display (the page's language is English; times are shown in UTC).

const fractionDigits = new Map()

function digitsOf (currency) {
  if (!fractionDigits.has(currency)) {
    let digits = 2
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits
    } catch {}
    fractionDigits.set(currency, digits)
  }
  return fractionDigits.get(currency)
}

/** An amount in minor units (satang, cents) with its currency: 129900 THB -> "THB 1,299.00". */
export function money (amount, currency) {
  if (typeof amount !== 'number') return ''
  const digits = digitsOf(currency)
  const value = amount / 10 ** digits
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'code' }).format(value)
  } catch {
    return `${currency} ${value.toFixed(digits)}`
  }
}

/** An ISO time as "2026-12-04 10:00:00 UTC". */
export function time (iso) {
  if (typeof iso !== 'string' || iso === '') return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

/** A duration in seconds as "3 h 20 min", "45 s". */
export function age (seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return ''
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min`
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`
}

/** Any JSON value as short text: values of reasons and signals. */
export function value (v) {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return JSON.stringify(v)
}

/** "review_approved" -> "review approved" */
export function label (text) {
  return typeof text === 'string' ? text.replace(/_/g, ' ') : ''
}
