import t from 'tap'
import fc from 'fast-check'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileRuleSet } from '../../src/engine/compile.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const lists = {
  blocked_emails: { file: 'lists/blocked_emails.txt', values: ['a@example.com'] },
  trusted_customers: { file: 'lists/trusted_customers.txt', values: ['c1'] }
}

t.test('compile never throws: any text gives a rule set or positioned errors', async (t) => {
  const original = await readFile(path.join(root, 'rules', 'ruleset.yaml'), 'utf8')
  const lineCount = original.split('\n').length
  // damage the default set: cut a slice, or splice random text into it
  const damaged = fc.oneof(
    fc.tuple(fc.nat(original.length), fc.nat(40)).map(([at, n]) => original.slice(0, at) + original.slice(at + n)),
    fc.tuple(fc.nat(original.length), fc.string({ maxLength: 20 })).map(([at, s]) => original.slice(0, at) + s + original.slice(at)),
    fc.string({ maxLength: 200 })
  )
  fc.assert(fc.property(damaged, (text) => {
    const result = compileRuleSet({ file: 'rules/ruleset.yaml', text, lists })
    if (result.ok) return true
    return result.errors.length > 0 && result.errors.every((e) =>
      e.file === 'rules/ruleset.yaml' && e.line >= 1 && e.line <= Math.max(lineCount, text.split('\n').length) + 1 &&
      e.column >= 1 && e.message.length > 0)
  }), { numRuns: 600 })
  t.pass('no throw')
})
