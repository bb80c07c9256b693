import { normalizeColumn } from '../outcomes/import/columns.js'
import { missingColumns, readColumns } from '../outcomes/import/formats.js'
import type { ImportFormat } from '../outcomes/import/imported-outcome.js'
import { ImportRowError } from '../outcomes/import/row-error.js'
import { createCsvParser } from '../util/csv-parser.js'
import type { CsvRecord } from '../util/csv-parser.js'

export const InputKind = { CSV: 'csv', NDJSON: 'ndjson' } as const
export type InputKind = typeof InputKind[keyof typeof InputKind]

/** A row of the file to send, or one refused reading it; `line` is where it starts (1-based). */
export type InputRow =
  | { line: number, row: Record<string, unknown> }
  | { line: number, refused: { code: ImportRowError, message: string } }

/** The CSV header lacks a column the format needs: nothing is sent. */
export class HeaderError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'HeaderError'
  }
}

/** `.csv` is CSV, `.ndjson` / `.jsonl` / `.json` NDJSON; otherwise the first character decides (`{`: NDJSON). */
export function inputKindOf (file: string, firstText: string): InputKind {
  const lower = file.toLowerCase()
  if (lower.endsWith('.csv')) return InputKind.CSV
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl') || lower.endsWith('.json')) return InputKind.NDJSON
  return firstText.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? InputKind.NDJSON : InputKind.CSV
}

/**
 * Only the columns the format reads leave the machine: an export's other columns (the customer's
 * email, name, card details) are never sent.
 */
function projector (format: ImportFormat): (name: string) => boolean {
  const read = readColumns(format)
  return (name) => read.has(normalizeColumn(name))
}

/** nested objects of an NDJSON row (an API object's `metadata`) as `parent.child` columns */
function flatten (object: Record<string, unknown>, keep: (name: string) => boolean, prefix = '', out: Record<string, unknown> = {}, depth = 0): Record<string, unknown> {
  for (const [key, value] of Object.entries(object)) {
    const name = prefix === '' ? key : `${prefix}.${key}`
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (depth < 3) flatten(value as Record<string, unknown>, keep, name, out, depth + 1)
    } else if (!Array.isArray(value) && keep(name)) {
      out[name] = value
    }
  }
  return out
}

/**
 * Reads a file's rows as they come (the file is never held whole). CSV: the first record is the
 * header, checked against the format before any row comes out (a HeaderError otherwise); a record
 * with broken quoting or another number of fields is refused with its line. NDJSON: one JSON object
 * a line; blank lines are skipped, another line is refused. `onChunk` is told of every chunk read
 * (its size in bytes).
 */
export async function * readImportRows (input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, kind: InputKind, format: ImportFormat,
  onChunk: (bytes: number) => void = () => {}): AsyncGenerator<InputRow> {
  const keep = projector(format)
  const decoder = new TextDecoder('utf-8')
  if (kind === InputKind.CSV) {
    const parser = createCsvParser()
    let header: Array<{ name: string, keep: boolean }> | undefined
    const rowsOf = function * (records: CsvRecord[]): Generator<InputRow> {
      for (const record of records) {
        if (header === undefined) {
          if (record.malformed !== undefined) throw new HeaderError(`the header (line ${record.line}) is not valid CSV`)
          const names = record.fields.map((f) => f.trim())
          const missing = missingColumns(format, names)
          if (missing.length > 0) throw new HeaderError(`the header has no column ${missing.join(', no column ')} (format ${format})`)
          header = names.map((name) => ({ name, keep: keep(name) }))
          continue
        }
        if (record.malformed !== undefined) {
          yield { line: record.line, refused: { code: ImportRowError.MALFORMED_CSV, message: `not valid CSV: ${record.malformed.replace(/_/g, ' ')}` } }
          continue
        }
        if (record.fields.length !== header.length) {
          yield { line: record.line, refused: { code: ImportRowError.COLUMN_COUNT, message: `${record.fields.length} fields where the header has ${header.length}` } }
          continue
        }
        const row: Record<string, unknown> = {}
        record.fields.forEach((value, i) => {
          const column = header?.[i]
          if (column === undefined || !column.keep) return
          // two columns of the same name: the first that has a value
          if (row[column.name] === undefined || row[column.name] === '') row[column.name] = value
        })
        yield { line: record.line, row }
      }
    }
    for await (const chunk of input) {
      onChunk(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length)
      yield * rowsOf(parser.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })))
    }
    yield * rowsOf(parser.push(decoder.decode()))
    yield * rowsOf(parser.end())
    if (header === undefined) throw new HeaderError('the file is empty: no header')
    return
  }
  let pending = ''
  let line = 0
  const rowOf = (text: string): InputRow | undefined => {
    line++
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim()
    if (trimmed === '') return undefined
    let value: unknown
    try {
      value = JSON.parse(trimmed)
    } catch {
      return { line, refused: { code: ImportRowError.INVALID_JSON, message: 'not JSON' } }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { line, refused: { code: ImportRowError.INVALID_JSON, message: 'not a JSON object' } }
    }
    return { line, row: flatten(value as Record<string, unknown>, keep) }
  }
  for await (const chunk of input) {
    onChunk(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length)
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    let start = 0
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
      const row = rowOf(pending.slice(start, nl))
      start = nl + 1
      if (row !== undefined) yield row
    }
    pending = pending.slice(start)
  }
  pending += decoder.decode()
  if (pending !== '') {
    const row = rowOf(pending)
    if (row !== undefined) yield row
  }
}
