import t from 'tap'
import path from 'node:path'
import { LintCode } from '../../src/lint/finding.js'
import { runCli } from '../../src/cli/main.js'
import { checkRuleSet, mayGoLive, refusalReasons } from '../../src/ruleset/go-live.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { RuleSetError } from '../../src/ruleset/rule-set-error.js'
import { captureIo } from '../helpers/cli-io.js'
import { RULESET_FILE, ruleSetText } from '../helpers/rule-engine.js'

const source = (rules: string, header = '') => ({ file: RULESET_FILE, text: ruleSetText(rules, header), lists: {} })

t.test('a set may go live when it compiles and its lint finds no error; warnings do not count', async (t) => {
  const ok = checkRuleSet(source('  - id: tor\n    when: ip.is_tor\n    score: 10'))
  t.ok(mayGoLive(ok))
  t.same(refusalReasons(ok), [])

  const compileError = checkRuleSet(source('  - id: tor\n    when: ip.is_torr\n    score: 10'))
  t.notOk(mayGoLive(compileError))
  t.equal(compileError.ruleSet, undefined)
  t.match(refusalReasons(compileError), [{ file: RULESET_FILE, line: 6, column: 14, rule: 'tor', message: /is_torr/ }])

  const lintError = checkRuleSet(source('  - id: thb\n    when: currency == "thb"\n    score: 10\n  - id: tor\n    when: ip.is_tor\n    score: 10'))
  t.notOk(mayGoLive(lintError), 'compiles, but a rule can never fire')
  t.ok(lintError.ruleSet !== undefined)
  t.same(refusalReasons(lintError), [{
    file: RULESET_FILE,
    line: 6,
    column: 11,
    rule: 'thb',
    message: 'can never fire: currency is compared with "thb", but currency is an upper-case ISO 4217 code [never_fires]'
  }])

  const warningsOnly = checkRuleSet(source('  - id: all\n    when: amount >= 0\n    score: 10', 'velocity:\n  unused: { count: charges, by: ip, window: 1h }'), { warnings: true })
  t.match(warningsOnly.findings, [{ code: LintCode.UNUSED_COUNTER, severity: 'warning' }, { code: LintCode.ALWAYS_FIRES, severity: 'warning' }])
  t.ok(mayGoLive(warningsOnly), 'warnings only: it may go live')
  t.same(checkRuleSet(source('  - id: all\n    when: amount >= 0\n    score: 10')).findings, [], 'warnings are looked for only when asked')
})

t.test('the service (loadRuleSet) and `riskgate rules check` decide alike', async (t) => {
  const head = 'version: "t.1"\nthresholds: { review: 50, block: 80 }\n'
  const sets: Record<string, string> = {
    ok: 'rules:\n  - id: tor\n    when: ip.is_tor\n    score: 10\n',
    warnings: 'lists:\n  l: lists/l.txt\nrules:\n  - id: all\n    when: amount >= 0\n    score: 10\n',
    compile_error: 'rules:\n  - id: tor\n    when: ip.is_tor +\n    score: 10\n',
    bad_regex: 'rules:\n  - id: r\n    when: description.matches("(?=x)")\n    score: 10\n',
    never_fires: 'rules:\n  - id: v6\n    when: ip.version == 5\n    score: 10\n',
    contradiction: 'rules:\n  - id: c\n    when: amount > 10 && amount < 5\n    action: block\n',
    missing_list: 'lists:\n  l: lists/missing.txt\nrules:\n  - id: l\n    when: customer.id in lists.l\n    score: 10\n'
  }
  const dir = t.testdir(Object.fromEntries(Object.entries(sets).map(([name, text]) => [name, { 'ruleset.yaml': head + text, lists: { 'l.txt': 'x\n' } }])))
  for (const name of Object.keys(sets)) {
    let loaded: boolean
    try {
      await loadRuleSet(path.join(dir, name))
      loaded = true
    } catch (error) {
      if (!(error instanceof RuleSetError)) throw error
      loaded = false
    }
    const io = captureIo({ cwd: dir })
    const code = await runCli(['rules', 'check', name], io)
    t.equal(code === 0, loaded, `${name}: rules check exit ${code}, the service ${loaded ? 'loads it' : 'refuses it'}`)
    t.equal(loaded, name === 'ok' || name === 'warnings', `${name}: ${loaded ? 'may go live' : 'refused'}`)
  }
})
