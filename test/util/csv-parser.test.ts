import t from 'tap'
import fc from 'fast-check'
import { createCsvParser, parseCsv } from '../../src/util/csv-parser.js'
import type { CsvRecord } from '../../src/util/csv-parser.js'

const fieldsOf = (records: CsvRecord[]): string[][] => records.map((r) => r.fields)

t.test('RFC 4180: quotes, escaped quotes, CRLF, embedded line breaks, empty fields', async (t) => {
  const text = 'id,Reason,Note\r\ndu_1,fraudulent,"said ""not me"", twice"\r\ndu_2,general,"two\r\nlines"\r\ndu_3,,\r\n'
  t.same(parseCsv(text), [
    { fields: ['id', 'Reason', 'Note'], line: 1 },
    { fields: ['du_1', 'fraudulent', 'said "not me", twice'], line: 2 },
    { fields: ['du_2', 'general', 'two\r\nlines'], line: 3 },
    { fields: ['du_3', '', ''], line: 5 }
  ])
  t.same(fieldsOf(parseCsv('a,b\nc,d')), [['a', 'b'], ['c', 'd']], 'LF and no final line break')
  t.same(fieldsOf(parseCsv('a\rb\r')), [['a'], ['b']], 'a lone CR ends a record')
  t.same(parseCsv('a\n\n\nb\n'), [{ fields: ['a'], line: 1 }, { fields: ['b'], line: 4 }], 'empty lines are no records')
  t.same(fieldsOf(parseCsv('""\n,\n')), [[''], ['', '']], 'a quoted empty field and a lone comma are records')
  t.same(fieldsOf(parseCsv('\uFEFFid,x\n1,2\n')), [['id', 'x'], ['1', '2']], 'the byte order mark is skipped')
  t.same(parseCsv(''), [])
})

t.test('malformed records are marked, and the records after them are read', async (t) => {
  t.same(parseCsv('a,b"c\nd,e\n'), [{ fields: ['a', 'b"c'], line: 1, malformed: 'quote_in_unquoted_field' }, { fields: ['d', 'e'], line: 2 }])
  t.same(parseCsv('"a"x,b\nd,e\n'), [{ fields: ['ax', 'b'], line: 1, malformed: 'text_after_closing_quote' }, { fields: ['d', 'e'], line: 2 }])
  t.same(parseCsv('ok\n"open,\nnever closed'), [{ fields: ['ok'], line: 1 }, { fields: ['open,\nnever closed'], line: 2, malformed: 'unterminated_quote' }])
})

/** a field of any text, weighted towards what CSV must escape (a byte order mark is skipped at the start of a file) */
const field = fc.string({ unit: fc.oneof(fc.constantFrom('"', ',', '\r', '\n', '\r\n', 'a', ' ', 'é', '😀'), fc.string({ maxLength: 3 }).filter((s) => s.length === 1 && s !== '\uFEFF')), maxLength: 12 })
const quoted = (f: string, always: boolean): string => always || /[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f

function serialize (records: string[][], eol: string, quoteAll: boolean, trailing: boolean): { text: string, lines: number[] } {
  const lines: number[] = []
  let line = 1
  const parts = records.map((record) => {
    lines.push(line)
    // an empty record is written as one quoted empty field: an empty line is no record
    const text = record.map((f) => quoted(f, quoteAll || record.length === 1)).join(',')
    line += (text.match(/\r\n|\r|\n/g) ?? []).length + 1
    return text
  })
  return { text: parts.join(eol) + (trailing ? eol : ''), lines }
}

function parseInChunks (text: string, cuts: number[]): CsvRecord[] {
  const parser = createCsvParser()
  const out: CsvRecord[] = []
  let at = 0
  for (const cut of [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)) {
    out.push(...parser.push(text.slice(at, cut)))
    at = cut
  }
  out.push(...parser.push(text.slice(at)), ...parser.end())
  return out
}

t.test('property: written records read back the same, with the line each starts on, however the text is cut into chunks', async (t) => {
  fc.assert(fc.property(
    fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 8 }),
    fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }),
    (records, eol, quoteAll, trailing, cuts) => {
      const { text, lines } = serialize(records, eol, quoteAll, trailing)
      const parsed = parseInChunks(text, cuts)
      return JSON.stringify(parsed) === JSON.stringify(records.map((fields, i) => ({ fields, line: lines[i] })))
    }), { numRuns: 3_000 })
})

t.test('property: any text, valid CSV or not, reads the same in one chunk or in many', async (t) => {
  const text = fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', 'b', '\uFEFF'), maxLength: 40 })
  fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), (s, cuts) => {
    return JSON.stringify(parseInChunks(s, cuts)) === JSON.stringify(parseCsv(s))
  }), { numRuns: 5_000 })
})
