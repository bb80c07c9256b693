import t from 'tap'
import { loadRuleTests, runRuleTestDir } from '../../src/ruleset/rule-tests.js'

const RULESET = 'version: "t.1"\nthresholds: { review: 50, block: 80 }\nrules:\n  - id: tor\n    when: ip.is_tor\n    score: 60\n'

t.test('runs every tests/*.yaml against the folder\'s rule set', async (t) => {
  const dir = t.testdir({
    'ruleset.yaml': RULESET,
    tests: {
      'a.yaml': '- name: tor\n  features: { ip: { is_tor: true } }\n  expect: { decision: review, fired: [tor] }\n',
      'b.yml': '- name: wrong\n  features: { ip: { is_tor: true } }\n  expect: { decision: block, fired: [tor] }\n',
      'notes.txt': 'ignored'
    }
  })
  const report = await runRuleTestDir(dir)
  t.equal(report.passed, 1)
  t.equal(report.failed, 1)
  t.same(report.results.map((r) => [path(r.file), r.name, r.passed]), [['tests/a.yaml', 'tor', true], ['tests/b.yml', 'wrong', false]])
  t.same(report.errors, [])
})

t.test('errors in test files are collected, with their positions', async (t) => {
  const dir = t.testdir({ tests: { 'bad.yaml': '- name: x\n  expect: { decision: maybe, fired: [] }\n' } })
  const parsed = await loadRuleTests(dir)
  t.match(parsed.errors, [{ line: 2, column: 23, rule: 'x', message: /expect\.decision must be one of/ }])
})

t.test('no tests folder means no cases', async (t) => {
  t.same(await loadRuleTests(t.testdir({})), { cases: [], errors: [] })
})

function path (file: string): string {
  return file.split(/[\\/]/).slice(-2).join('/')
}
