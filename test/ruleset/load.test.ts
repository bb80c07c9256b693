import t from 'tap'
import type { Test } from 'tap'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { RuleSetError } from '../../src/ruleset/rule-set-error.js'

const RULESET = [
  'version: "t.1"',
  'thresholds: { review: 50, block: 80 }',
  'lists:',
  '  blocked: lists/blocked.txt',
  'rules:',
  '  - id: blocked',
  '    when: email.address in lists.blocked',
  '    action: block'
].join('\n') + '\n'

async function rulesDir (t: Test, files: Record<string, string>): Promise<string> {
  const dir = t.testdir({})
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
  return dir
}

t.test('loads ruleset.yaml and the lists it names', async (t) => {
  const dir = await rulesDir(t, {
    'ruleset.yaml': RULESET,
    'lists/blocked.txt': '# blocked\nbad@example.com\n\nworse@example.com # chargeback 2026-10\n'
  })
  const ruleSet = await loadRuleSet(dir)
  t.equal(ruleSet.version, 't.1')
  t.same([...(ruleSet.lists.get('blocked') ?? [])], ['bad@example.com', 'worse@example.com'])
  t.same(ruleSet.definition.lists.map((l) => [l.name, l.size]), [['blocked', 2]])
})

t.test('the hash follows the list content', async (t) => {
  const a = await loadRuleSet(await rulesDir(t, { 'ruleset.yaml': RULESET, 'lists/blocked.txt': 'a@example.com\n' }))
  const b = await loadRuleSet(await rulesDir(t, { 'ruleset.yaml': RULESET, 'lists/blocked.txt': '# same\na@example.com\n' }))
  const c = await loadRuleSet(await rulesDir(t, { 'ruleset.yaml': RULESET, 'lists/blocked.txt': 'b@example.com\n' }))
  t.equal(a.hash, b.hash)
  t.not(a.hash, c.hash)
})

async function loadError (dir: string): Promise<RuleSetError> {
  try {
    await loadRuleSet(dir)
  } catch (error) {
    if (error instanceof RuleSetError) return error
    throw error
  }
  throw new Error('loadRuleSet did not throw')
}

t.test('refuses a set with errors, listing every one as file:line:col', async (t) => {
  const dir = await rulesDir(t, {
    'ruleset.yaml': RULESET.replace('email.address in lists.blocked', 'email.adress in lists.blocked') +
      '  - id: blocked\n    when: ip.is_tor\n    score: 500\n',
    'lists/blocked.txt': 'x\n'
  })
  const error = await loadError(dir)
  t.equal(error.errors.length, 3)
  const file = path.join(path.relative(process.cwd(), dir), 'ruleset.yaml')
  t.match(error.lines, [
    `${file}:7:17 rule blocked: type error: No such key: adress`,
    `${file}:9:9 rule blocked: duplicate rule id (first defined at line 6)`,
    `${file}:11:12 rule blocked: score must be a non-zero integer from -100 to 100 (negative for good signals)`
  ])
  t.match(error.message, /^the rule set has errors \(3\):\n/)
})

t.test('list files must exist and stay inside the rules folder', async (t) => {
  const cases: Array<[string, string, Record<string, string>, RegExp]> = [
    ['missing file', 'lists/blocked.txt', {}, /list blocked: lists\/blocked\.txt: file not found/],
    ['parent folder', '../outside.txt', {}, /list blocked: \.\.\/outside\.txt must be a path inside the rules folder/],
    ['absolute path', '/etc/hostname', {}, /must be a path inside the rules folder/],
    ['a folder', 'lists', { 'lists/x.txt': 'x' }, /list blocked: lists: is a directory/]
  ]
  for (const [name, listPath, files, message] of cases) {
    const dir = await rulesDir(t, { ...files, 'ruleset.yaml': RULESET.replace('lists/blocked.txt', listPath) })
    const error = await loadError(dir)
    t.equal(error.errors.length, 1, name)
    t.match(error.errors[0], { line: 4, column: 12, message }, name)
  }
})

t.test('a symlink leading outside the rules folder is refused', async (t) => {
  const outer = t.testdir({ 'secret.txt': 'top secret\n', rules: {} })
  const dir = path.join(outer, 'rules')
  await writeFile(path.join(dir, 'ruleset.yaml'), RULESET)
  await mkdir(path.join(dir, 'lists'))
  await symlink(path.join(outer, 'secret.txt'), path.join(dir, 'lists', 'blocked.txt'))
  const error = await loadError(dir)
  t.match(error.errors, [{ message: /lists\/blocked\.txt leads outside the rules folder/ }])
  t.notMatch(error.message, 'top secret')
})

t.test('a missing rules folder or ruleset.yaml is a RuleSetError', async (t) => {
  const dir = t.testdir({})
  const error = await loadError(path.join(dir, 'nope'))
  t.match(error.lines, [/ruleset\.yaml:1:1 cannot read the rule set: file not found$/])
})
