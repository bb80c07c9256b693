import { evaluate } from './evaluate.js'
import type { CompiledRuleSet, Evaluation } from './ruleset.js'
import type { RuleTestCase } from './rule-test-parse.js'

export { parseRuleTests, TEST_CASE_DEFAULTS } from './rule-test-parse.js'
export type { Expectation, ParsedRuleTests, RuleTestCase, ShadowExpectation } from './rule-test-parse.js'

export interface RuleTestResult {
  file: string
  line: number
  name: string
  passed: boolean
  /** one line per expectation that failed, saying what was expected and what happened */
  failures: string[]
  evaluation: Evaluation
}

function list (ids: Iterable<string>): string {
  const all = [...ids]
  return all.length === 0 ? 'none' : all.join(', ')
}

/** Why a rule did not fire: skipped for unknown inputs, failed, or its condition was false. */
function whyNot (evaluation: Evaluation, id: string, shadowFired: ReadonlySet<string>): string {
  const skipped = evaluation.skipped.find((s) => s.rule === id)
  if (skipped?.error !== undefined) return `skipped: ${skipped.error}`
  if (skipped !== undefined) return `skipped: unknown ${skipped.unknown.join(', ')}`
  if (shadowFired.has(id)) return 'it fired as a shadow rule'
  return 'its condition was false'
}

function summary (evaluation: Evaluation): string {
  return `score ${evaluation.score}; fired: ${list(evaluation.reasons.map((r) => r.rule))}`
}

function checkCase (ruleSet: CompiledRuleSet, testCase: RuleTestCase, evaluation: Evaluation): string[] {
  const failures: string[] = []
  const { expect } = testCase
  const ruleIds = new Set(ruleSet.rules.map((rule) => rule.id))
  const fired = new Set(evaluation.reasons.map((r) => r.rule))
  const shadowFired = new Set(evaluation.shadow.reasons.map((r) => r.rule))
  const skipped = new Set(evaluation.skipped.map((s) => s.rule))

  const declared = new Set(ruleSet.velocity.map((spec) => spec.name))
  for (const name of Object.keys(testCase.features.velocity ?? {})) {
    if (!declared.has(name)) failures.push(`features.velocity.${name} is not a counter of the rule set (declared: ${list(declared)})`)
  }
  const mentioned = [...expect.fired, ...expect.notFired, ...expect.skipped, ...(expect.shadow?.fired ?? [])]
  for (const id of new Set(mentioned)) {
    if (!ruleIds.has(id)) failures.push(`rule ${id} does not exist in the rule set`)
  }

  if (evaluation.decision !== expect.decision) {
    failures.push(`decision: expected ${expect.decision}, got ${evaluation.decision} (${summary(evaluation)})`)
  }
  if (expect.score !== undefined && evaluation.score !== expect.score) {
    failures.push(`score: expected ${expect.score}, got ${evaluation.score} (fired: ${list(fired)})`)
  }
  for (const id of expect.fired) {
    if (ruleIds.has(id) && !fired.has(id)) failures.push(`fired: expected ${id} to fire, but ${whyNot(evaluation, id, shadowFired)}`)
  }
  const expected = new Set(expect.fired)
  for (const id of fired) {
    if (!expected.has(id)) failures.push(`fired: ${id} fired but is not expected (add it to fired or fix the rule)`)
  }
  for (const id of expect.notFired) {
    if (fired.has(id) || shadowFired.has(id)) failures.push(`not_fired: ${id} fired${shadowFired.has(id) ? ' (shadow)' : ''}`)
  }
  for (const id of expect.skipped) {
    if (ruleIds.has(id) && !skipped.has(id)) {
      failures.push(`skipped: expected ${id} to be skipped, but it was evaluated (${fired.has(id) || shadowFired.has(id) ? 'and fired' : 'and did not fire'})`)
    }
  }

  const shadow = expect.shadow
  if (shadow?.decision !== undefined && evaluation.shadow.decision !== shadow.decision) {
    failures.push(`shadow.decision: expected ${shadow.decision}, got ${evaluation.shadow.decision} (shadow score ${evaluation.shadow.score}; shadow rules fired: ${list(shadowFired)})`)
  }
  if (shadow?.score !== undefined && evaluation.shadow.score !== shadow.score) {
    failures.push(`shadow.score: expected ${shadow.score}, got ${evaluation.shadow.score}`)
  }
  if (shadow?.fired !== undefined) {
    const expectedShadow = new Set(shadow.fired)
    for (const id of expectedShadow) {
      if (ruleIds.has(id) && !shadowFired.has(id)) failures.push(`shadow.fired: expected ${id} to fire, but ${whyNot(evaluation, id, new Set())}`)
    }
    for (const id of shadowFired) {
      if (!expectedShadow.has(id)) failures.push(`shadow.fired: ${id} fired but is not expected`)
    }
  }
  return failures
}

/** Runs test cases against a compiled rule set with the same engine that scores live traffic. */
export function runRuleTests (ruleSet: CompiledRuleSet, cases: readonly RuleTestCase[]): RuleTestResult[] {
  return cases.map((testCase) => {
    const evaluation = evaluate(ruleSet, testCase.features)
    const failures = checkCase(ruleSet, testCase, evaluation)
    return { file: testCase.file, line: testCase.line, name: testCase.name, passed: failures.length === 0, failures, evaluation }
  })
}

/** `rules/tests/tor.yaml:3 "Tor exit": FAIL\n  decision: expected ...` */
export function formatRuleTestResult (result: RuleTestResult): string {
  const head = `${result.file}:${result.line} "${result.name}": ${result.passed ? 'ok' : 'FAIL'}`
  return result.passed ? head : [head, ...result.failures.map((f) => `  ${f}`)].join('\n')
}
