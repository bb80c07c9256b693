import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseRuleTests, runRuleTests } from '../engine/rule-tests.js'
import type { ParsedRuleTests, RuleTestResult } from '../engine/rule-tests.js'
import type { SourceError } from '../engine/yaml-source.js'
import { displayPath, loadRuleSet } from './load.js'

export const TESTS_FOLDER = 'tests'

/** Reads and parses every `<dir>/tests/*.yaml` (and `.yml`), in file-name order. */
export async function loadRuleTests (dir: string): Promise<ParsedRuleTests> {
  const folder = path.resolve(dir, TESTS_FOLDER)
  let names: string[]
  try {
    names = (await readdir(folder)).filter((name) => /\.ya?ml$/.test(name)).sort()
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { cases: [], errors: [] }
    throw error
  }
  const parsed: ParsedRuleTests = { cases: [], errors: [] }
  for (const name of names) {
    const file = path.join(folder, name)
    const { cases, errors } = parseRuleTests(displayPath(file), await readFile(file, 'utf8'))
    parsed.cases.push(...cases)
    parsed.errors.push(...errors)
  }
  return parsed
}

export interface RuleTestReport {
  results: RuleTestResult[]
  /** problems in the test files themselves */
  errors: SourceError[]
  passed: number
  failed: number
}

/**
 * Loads the rule set of `dir` (throws a RuleSetError when it does not compile) and runs every
 * test case of `dir/tests/` against it: what CI and the CLI run.
 */
export async function runRuleTestDir (dir: string): Promise<RuleTestReport> {
  const ruleSet = await loadRuleSet(dir)
  const { cases, errors } = await loadRuleTests(dir)
  const results = runRuleTests(ruleSet, cases)
  const passed = results.filter((result) => result.passed).length
  return { results, errors, passed, failed: results.length - passed }
}
