import type { CompiledRuleSet } from '../ruleset.js'

export interface CompilationSummary {
  /** rules whose condition runs as compiled JavaScript */
  compiled: number
  /** rules the cel-js interpreter evaluates, and the construct the compiler does not translate */
  interpreted: Array<{ rule: string, reason: string }>
}

/** How a rule set's conditions run: for the log line of a (re)load and for tools. */
export function compilationSummary (ruleSet: CompiledRuleSet): CompilationSummary {
  const interpreted: CompilationSummary['interpreted'] = []
  let compiled = 0
  for (const rule of ruleSet.rules) {
    if (rule.compiled !== undefined) compiled++
    else interpreted.push({ rule: rule.id, reason: rule.interpretedBecause ?? 'not compiled' })
  }
  return { compiled, interpreted }
}
