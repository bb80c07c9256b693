import t from 'tap'
import { performance } from 'node:perf_hooks'
import { evaluate } from '../../src/engine/evaluate.js'
import type { CompiledRule, CompiledRuleSet, Evaluation } from '../../src/engine/ruleset.js'
import type { Features } from '../../src/engine/features.js'
import { buildTestApp, charge, scoreAuth } from '../helpers/app.js'
import { features } from '../helpers/rule-engine.js'

/**
 * matches() runs on RE2: patterns that take exponential time in a backtracking engine (JavaScript's
 * RegExp) are harmless. A rule set full of them is loaded by the real service and scores charges
 * whose strings are as long as the schema allows, built to make those patterns backtrack: the
 * answers are the normal ones. The evaluation time is measured and printed, never asserted.
 */

const RULES = [
  'version: "adversarial.1"',
  'thresholds: { review: 50, block: 80 }',
  'rules:',
  // a backtracking engine tries every way to split the a's before failing at the "!"
  '  - id: nested_plus', '    when: description.matches("(a+)+$")', '    score: 40',
  '  - id: words', '    when: billing.line1.matches("^(\\\\w+\\\\s?)*$")', '    score: 40',
  // (.*a){20} on names with 19 a's: every choice of 19 split points
  '  - id: repeated_star', '    when: items.exists(i, i.name.matches("(.*a){20}"))', '    score: 40',
  '  - id: overlapping', '    when: items.exists(i, i.sku.matches("(x+x+)+y"))', '    score: 40',
  // metadata values are dyn: these run on the interpreter
  '  - id: alternation', '    when: metadata.note.matches("(a|aa)+$")', '    score: 40',
  '  - id: nested_star', '    when: metadata.memo.matches("^(a*)*$")', '    score: 40',
  // and where the input does match, the rule fires
  '  - id: ends_with_bang', '    when: description.matches("(a+)+!")', '    score: 5',
  '  - id: any_amount', '    when: amount > 0', '    score: 1'
].join('\n') + '\n'

const FIRED = ['ends_with_bang', 'any_amount']

/** the longest strings the charge schema allows in each field, shaped to make those patterns backtrack */
function adversarial (items: number): Record<string, unknown> {
  return {
    description: `${'a'.repeat(999)}!`, //                   1,000: the schema's maximum
    billing: { line1: `${'a'.repeat(199)}!`, country: 'AU' }, //   200
    items: Array.from({ length: items }, () => ({ sku: 'x'.repeat(100), name: `${'a'.repeat(19)}${'b'.repeat(181)}` })), // 100 and 200
    metadata: { note: `${'a'.repeat(499)}!`, memo: `${'a'.repeat(499)}!` } //  500 each
  }
}

function interpreted (ruleSet: CompiledRuleSet): CompiledRuleSet {
  return { ...ruleSet, rules: ruleSet.rules.map(({ compiled: _compiled, ...rule }): CompiledRule => rule) }
}

function timed (fn: () => Evaluation, runs: number): { evaluation: Evaluation, ms: number } {
  let evaluation = fn()
  const start = performance.now()
  for (let i = 0; i < runs; i++) evaluation = fn()
  return { evaluation, ms: (performance.now() - start) / runs }
}

t.test('a rule set of patterns a backtracking engine chokes on scores long adversarial charges normally', async (t) => {
  const dir = t.testdir({ 'ruleset.yaml': RULES })
  const { app } = await buildTestApp(t, { rulesDir: dir })
  const ruleSet = app.rules.current
  t.equal(ruleSet.rules.length, 8, 'the service loads the set')
  t.same(ruleSet.rules.filter((r) => r.compiled === undefined).map((r) => r.id), ['alternation', 'nested_star'], 'the dyn ones interpreted, the rest compiled')

  // the most items that fit the 16 KiB body limit with everything else at its maximum
  let items = 60
  let payload = JSON.stringify(charge(adversarial(items)))
  while (Buffer.byteLength(payload) > 16 * 1024) payload = JSON.stringify(charge(adversarial(--items)))
  t.ok(items >= 30, `${items} items of 300 characters, ${Buffer.byteLength(payload)} bytes`)

  const runs = 20
  let serviceMs = 0
  for (let i = 0; i < runs; i++) {
    const body = JSON.stringify(charge(adversarial(items)))
    const start = performance.now()
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: body })
    serviceMs += performance.now() - start
    t.equal(res.statusCode, 200)
    const answer = res.json()
    if (i === 0) {
      t.same(answer.reasons.map((r: { rule: string }) => r.rule), FIRED, 'only the rules whose input matches fire')
      t.equal(answer.score, 6)
      t.equal(answer.decision, 'allow')
      t.same(answer.skipped, [], 'no rule skipped: none failed or ran out of time')
    }
  }

  // for scale: the same service scoring an ordinary charge
  let ordinaryMs = 0
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const res = await app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'application/json', ...scoreAuth }, payload: JSON.stringify(charge()) })
    ordinaryMs += performance.now() - start
    t.equal(res.statusCode, 200)
  }

  // the engine alone on the same strings, compiled and interpreted: the same evaluation
  const f = features(adversarial(items)) as Features
  const compiled = timed(() => evaluate(ruleSet, f), runs)
  const interpretedRun = timed(() => evaluate(interpreted(ruleSet), f), runs)
  t.same(compiled.evaluation.reasons.map((r) => r.rule), FIRED)
  t.same(interpretedRun.evaluation, compiled.evaluation, 'the interpreter agrees')

  // tens of kilobytes, beyond what the schema lets through: still linear
  const huge = features({
    description: `${'a'.repeat(65_535)}!`,
    billing: { line1: `${'a'.repeat(65_535)}!` },
    items: [{ sku: 'x'.repeat(65_536), name: `${'a'.repeat(19)}${'b'.repeat(65_517)}` }],
    metadata: { note: `${'a'.repeat(65_535)}!`, memo: `${'a'.repeat(65_535)}!` }
  })
  const hugeCompiled = timed(() => evaluate(ruleSet, huge), 5)
  const hugeInterpreted = timed(() => evaluate(interpreted(ruleSet), huge), 5)
  t.same(hugeCompiled.evaluation.reasons.map((r) => r.rule), FIRED)
  t.same(hugeInterpreted.evaluation, hugeCompiled.evaluation, 'the interpreter agrees')

  t.comment(`POST /v1/score, ${Buffer.byteLength(payload)} bytes (${items} items): ${(serviceMs / runs).toFixed(2)} ms per charge (mean of ${runs}); an ordinary charge: ${(ordinaryMs / runs).toFixed(2)} ms`)
  t.comment(`evaluate, schema-maximum strings: compiled ${compiled.ms.toFixed(3)} ms, interpreted ${interpretedRun.ms.toFixed(3)} ms`)
  t.comment(`evaluate, 64 KiB strings: compiled ${hugeCompiled.ms.toFixed(3)} ms, interpreted ${hugeInterpreted.ms.toFixed(3)} ms`)
})
