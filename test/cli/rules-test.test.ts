import t from 'tap'
import { runCli } from '../../src/cli/main.js'
import { captureIo } from '../helpers/cli-io.js'
import { rootDir } from '../helpers/test-data.js'

const RULESET = 'version: "t.1"\nthresholds: { review: 50, block: 80 }\nrules:\n  - id: tor\n    when: ip.is_tor\n    score: 60\n'

t.test('the default rule tests pass', async (t) => {
  const io = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'test'], io), 0)
  t.match(io.out(), /^\d+ passed, 0 failed\n$/)
  const verbose = captureIo({ cwd: rootDir })
  t.equal(await runCli(['rules', 'test', 'rules', '--verbose'], verbose), 0)
  t.match(verbose.out(), /rules\/tests\/ip\.yaml:\d+ ".+": ok/)
})

t.test('a failed expectation says which and why, and exits 1', async (t) => {
  const dir = t.testdir({
    'ruleset.yaml': RULESET,
    tests: {
      'a.yaml': [
        '- name: tor goes to review',
        '  features: { ip: { is_tor: true } }',
        '  expect: { decision: review, fired: [tor] }',
        '- name: tor without data',
        '  features: {}',
        '  expect: { decision: review, fired: [tor] }'
      ].join('\n') + '\n'
    }
  })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'test', dir], io), 1)
  t.match(io.out(), /tests\/a\.yaml:4 "tor without data": FAIL\n {2}decision: expected review, got allow \(score 0; fired: none\)\n {2}fired: expected tor to fire, but skipped: unknown ip\.is_tor/)
  t.notMatch(io.out(), /tor goes to review/)
  t.match(io.out(), /1 passed, 1 failed\n$/)

  const json = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'test', dir, '--json'], json), 1)
  const parsed = JSON.parse(json.out()) as { passed: number, failed: number, results: Array<{ name: string, failures: string[] }> }
  t.equal(parsed.failed, 1)
  t.match(parsed.results[1], { name: 'tor without data', failures: [/decision: expected review/, /skipped: unknown ip\.is_tor/] })
})

t.test('errors in test files and rule sets that do not compile fail', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': RULESET, tests: { 'bad.yaml': '- name: x\n  expect: { decision: maybe, fired: [] }\n' } })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'test', dir], io), 1)
  t.match(io.out(), /bad\.yaml:2:23 case x: expect\.decision must be one of/)
  t.match(io.out(), /\d+ passed, 0 failed, 1 error in test files/)

  const broken = t.testdir({ 'ruleset.yaml': RULESET.replace('ip.is_tor', 'ip.is_tor +') })
  const io2 = captureIo({ cwd: broken })
  t.equal(await runCli(['rules', 'test', broken], io2), 1)
  t.match(io2.out(), /ruleset\.yaml:5:\d+ rule tor: syntax error[\s\S]*the rule set would be refused \(compile or lint errors\): no test was run/)
})

t.test('no tests: a notice, not a failure; no rule set: exit 3', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': RULESET })
  const io = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'test', dir], io), 0)
  t.match(io.err(), /no test cases in/)
  const missing = captureIo({ cwd: dir })
  t.equal(await runCli(['rules', 'test', 'nowhere'], missing), 3)
  t.match(missing.err(), /cannot read .*nowhere\/ruleset\.yaml/)
})
