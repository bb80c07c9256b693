/**
 * A streaming CSV parser (RFC 4180): fields separated by commas, records by CRLF, LF or a lone
 * CR; a field may be quoted, a quote inside a quoted field is doubled, and a quoted field may hold
 * commas and line breaks. Text is given in chunks of any size (a record, a quoted field or a CRLF
 * may span chunks) and records come out as soon as they end, each with the line it starts on.
 *
 * A record that breaks the format (a quote inside an unquoted field, text after a closing quote,
 * a quoted field still open at the end of the input) comes out with `malformed` set: its fields are
 * read as well as they can be, and the records after it are not affected. An empty line is no
 * record (a trailing line break neither); a leading UTF-8 byte order mark is skipped.
 */
export interface CsvRecord {
  fields: string[]
  /** the 1-based line the record starts on (a quoted line break counts as a line) */
  line: number
  /** why the record is not valid CSV, when it is not */
  malformed?: 'quote_in_unquoted_field' | 'text_after_closing_quote' | 'unterminated_quote'
}

export interface CsvParser {
  /** parses a chunk; returns the records it completed */
  push: (chunk: string) => CsvRecord[]
  /** the end of the input: returns the last record, if one was open */
  end: () => CsvRecord[]
}

const QUOTE = 34
const COMMA = 44
const CR = 13
const LF = 10
const BOM = 0xfeff

const State = {
  /** at the start of a field */
  FIELD_START: 0,
  UNQUOTED: 1,
  QUOTED: 2,
  /** in a quoted field, just after a quote: a second one is an escaped quote, else the field closed */
  QUOTE_IN_QUOTED: 3,
  /** after a closing quote, before the delimiter */
  AFTER_QUOTED: 4
} as const
type State = typeof State[keyof typeof State]

export function createCsvParser (): CsvParser {
  let state: State = State.FIELD_START
  let fields: string[] = []
  let field = ''
  /** the record has content: a field, a comma or a quote (an empty line has none) */
  let started = false
  let malformed: CsvRecord['malformed']
  let line = 1
  let recordLine = 1
  /** the last chunk ended on a CR: a LF first in the next chunk belongs to the same line break */
  let afterCr = false
  let first = true

  function endRecord (out: CsvRecord[]): void {
    if (started) {
      fields.push(field)
      const record: CsvRecord = { fields, line: recordLine }
      if (malformed !== undefined) record.malformed = malformed
      out.push(record)
    }
    fields = []
    field = ''
    started = false
    malformed = undefined
    state = State.FIELD_START
  }

  function mark (reason: NonNullable<CsvRecord['malformed']>): void {
    malformed ??= reason
  }

  return {
    push (chunk) {
      const out: CsvRecord[] = []
      let i = 0
      if (first && chunk.length > 0) {
        first = false
        if (chunk.charCodeAt(0) === BOM) i = 1
      }
      if (afterCr && i < chunk.length) {
        afterCr = false
        if (chunk.charCodeAt(i) === LF) {
          // the LF of a CRLF: inside a quoted field it is content, else nothing
          if (state === State.QUOTED) field += '\n'
          i++
        }
      }
      for (; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i)
        if (!started && state === State.FIELD_START && c !== CR && c !== LF) {
          started = true
          recordLine = line
        }
        switch (state) {
          case State.QUOTED: {
            // copy the run of plain characters at once
            let j = i
            while (j < chunk.length) {
              const d = chunk.charCodeAt(j)
              if (d === QUOTE || d === CR || d === LF) break
              j++
            }
            if (j > i) {
              field += chunk.slice(i, j)
              i = j - 1
              continue
            }
            if (c === QUOTE) {
              state = State.QUOTE_IN_QUOTED
            } else {
              field += chunk[i]
              line++
              if (c === CR) {
                if (i + 1 < chunk.length) {
                  if (chunk.charCodeAt(i + 1) === LF) {
                    field += '\n'
                    i++
                  }
                } else {
                  afterCr = true
                }
              }
            }
            continue
          }
          case State.QUOTE_IN_QUOTED:
            if (c === QUOTE) {
              field += '"'
              state = State.QUOTED
              continue
            }
            state = State.AFTER_QUOTED
            break
          default:
            break
        }
        // FIELD_START, UNQUOTED, AFTER_QUOTED
        if (c === COMMA) {
          fields.push(field)
          field = ''
          state = State.FIELD_START
        } else if (c === CR || c === LF) {
          line++
          endRecord(out)
          if (c === CR) {
            if (i + 1 < chunk.length) {
              if (chunk.charCodeAt(i + 1) === LF) i++
            } else {
              afterCr = true
            }
          }
        } else if (c === QUOTE) {
          if (state === State.FIELD_START) {
            state = State.QUOTED
          } else {
            mark(state === State.AFTER_QUOTED ? 'text_after_closing_quote' : 'quote_in_unquoted_field')
            field += '"'
          }
        } else {
          if (state === State.AFTER_QUOTED) mark('text_after_closing_quote')
          else state = State.UNQUOTED
          // copy the run of plain characters at once
          let j = i + 1
          while (j < chunk.length) {
            const d = chunk.charCodeAt(j)
            if (d === COMMA || d === QUOTE || d === CR || d === LF) break
            j++
          }
          field += chunk.slice(i, j)
          i = j - 1
        }
      }
      return out
    },
    end () {
      const out: CsvRecord[] = []
      if (state === State.QUOTED) mark('unterminated_quote')
      endRecord(out)
      return out
    }
  }
}

/** Every record of a whole text. */
export function parseCsv (text: string): CsvRecord[] {
  const parser = createCsvParser()
  return [...parser.push(text), ...parser.end()]
}
