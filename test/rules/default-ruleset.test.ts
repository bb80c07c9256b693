import t from 'tap'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatRuleTestResult } from '../../src/engine/rule-tests.js'
import { formatSourceError } from '../../src/engine/yaml-source.js'
import { loadRuleSet } from '../../src/ruleset/load.js'
import { runRuleTestDir } from '../../src/ruleset/rule-tests.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const rulesDir = path.join(root, 'rules')

t.test('rules/tests/*.yaml pass against rules/ruleset.yaml', async (t) => {
  const report = await runRuleTestDir(rulesDir)
  t.same(report.errors.map((e) => formatSourceError(e, 'case')), [], 'the test files are well formed')
  t.ok(report.results.length >= 20, `${report.results.length} cases`)
  for (const result of report.results) {
    t.ok(result.passed, formatRuleTestResult(result))
  }
})

t.test('every rule of the default set fires in at least one case', async (t) => {
  const report = await runRuleTestDir(rulesDir)
  const ruleSet = await loadRuleSet(rulesDir)
  const fired = new Set(report.results.flatMap((r) => [...r.evaluation.reasons, ...r.evaluation.shadow.reasons].map((x) => x.rule)))
  for (const rule of ruleSet.rules) t.ok(fired.has(rule.id), `${rule.id} is covered`)
  const composite = ruleSet.velocity.filter((spec) => spec.by.length > 1)
  t.ok(composite.length > 0, 'the default set shows a composite velocity key')
})
