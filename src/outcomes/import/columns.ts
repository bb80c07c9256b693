/**
 * Column names of imported rows, compared loosely: exports name the same column `Charge ID`,
 * `charge_id` or `charge id`, `Created (UTC)` or `created_utc`, a metadata key
 * `riskgate_decision_id (metadata)` or `metadata.riskgate_decision_id`. A name is lower-cased and
 * every run of other characters than letters and digits becomes one `_` (none at either end).
 */
export function normalizeColumn (name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
}

/** One value a row may carry in any of several columns (normalized names). */
export interface Column {
  /** what the documentation calls it */
  name: string
  /** the normalized column names that hold it, the preferred first */
  aliases: readonly string[]
}

/** A row with its column names normalized; values as given (strings from CSV, any JSON value from NDJSON). */
export type NormalizedRow = ReadonlyMap<string, unknown>

export function normalizeRow (row: Record<string, unknown>): NormalizedRow {
  const out = new Map<string, unknown>()
  for (const [key, value] of Object.entries(row)) {
    const name = normalizeColumn(key)
    // the first of two columns that normalize alike wins, unless it is empty
    if (!out.has(name) || textOf(out.get(name)) === undefined) out.set(name, value)
  }
  return out
}

/** A value as text: trimmed, undefined when empty or not a string or number. */
export function textOf (value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  return text === '' ? undefined : text
}

/** The text of the first of the column's aliases that has a value. */
export function read (row: NormalizedRow, column: Column): string | undefined {
  for (const alias of column.aliases) {
    const text = textOf(row.get(alias))
    if (text !== undefined) return text
  }
  return undefined
}

/** whether a header (normalized names) holds the column */
export function hasColumn (header: ReadonlySet<string>, column: Column): boolean {
  return column.aliases.some((alias) => header.has(alias))
}
