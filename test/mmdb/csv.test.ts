import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCsvLine, readLines } from '../../src/mmdb/csv.js'

t.test('parseCsvLine', async (t) => {
  const cases: Array<[string, string[] | undefined]> = [
    ['1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."', ['1.0.0.0', '1.0.0.255', '13335', 'Cloudflare, Inc.']],
    ['2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""', ['2.26.200.0', '2.26.215.255', '201907', 'LLC "SPUTNIK"']],
    ['a,b,c,', ['a', 'b', 'c', '']],
    ['"",x', ['', 'x']],
    ['plain', ['plain']],
    ['"quoted, first",2', ['quoted, first', '2']],
    ['a,"unterminated', undefined],
    ['a,"closed"junk', undefined],
    ['a,b"c', undefined]
  ]
  for (const [line, want] of cases) t.same(parseCsvLine(line), want, line)
})

t.test('readLines handles LF, CRLF, no final newline and lines across chunks', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'lines.txt')
  const long = 'z'.repeat(3 * 1024 * 1024) // longer than one read chunk
  writeFileSync(path, `one\r\ntwo\n\n${long}\nlast`)
  const lines: string[] = []
  for await (const line of readLines(path)) lines.push(line)
  t.same(lines.map((l) => l.length > 100 ? `long:${l.length}` : l), ['one', 'two', '', `long:${long.length}`, 'last'])
})
