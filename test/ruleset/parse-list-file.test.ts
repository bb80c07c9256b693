import t from 'tap'
import { parseListText } from '../../src/ruleset/parse-list-file.js'

t.test('one value a line, trimmed, comments and blank lines ignored', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['', []],
    ['a@example.com\nb@example.com\n', ['a@example.com', 'b@example.com']],
    ['  padded  \r\nwindows\r\n', ['padded', 'windows']],
    ['# header\n\n  # indented comment\nvalue\n', ['value']],
    ['cus_1 # a note\ncus_2\t# tab note\n', ['cus_1', 'cus_2']],
    ['with#hash\n', ['with#hash']],
    ['dup\ndup\n', ['dup', 'dup']]
  ]
  for (const [text, values] of cases) t.same(parseListText(text), values, JSON.stringify(text))
})
