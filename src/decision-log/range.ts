import type { LogRange } from './store.js'

const ISO_DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * `from`/`to` of an export as given (ISO 8601 dates or times) into a LogRange; the name of the
 * first bound that is not a date or time otherwise. A date alone is midnight UTC.
 */
export function parseLogRange (bounds: { from?: string, to?: string }): { ok: true, range: LogRange } | { ok: false, bound: 'from' | 'to' } {
  const range: LogRange = {}
  for (const name of ['from', 'to'] as const) {
    const value = bounds[name]
    if (value === undefined) continue
    const ms = ISO_DATE_OR_TIME.test(value) ? Date.parse(value) : Number.NaN
    if (Number.isNaN(ms)) return { ok: false, bound: name }
    range[name] = new Date(ms)
  }
  return { ok: true, range }
}
