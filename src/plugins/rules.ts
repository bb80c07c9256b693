import fp from 'fastify-plugin'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import type { SourceError } from '../engine/yaml-source.js'
import { loadRuleSet } from '../ruleset/load.js'
import { RuleSetError } from '../ruleset/rule-set-error.js'
import { compilationSummary } from '../engine/compiled/summary.js'

export interface RulesOptions {
  /** the rule set folder (RISKGATE_RULES_DIR): ruleset.yaml, lists/, tests/ */
  rulesDir: string
}

/**
 * The live rule set. Read `current` once per request and use that object for the whole
 * decision: a reload replaces the reference in one assignment, so a request never mixes two sets.
 */
export interface RulesHolder {
  readonly current: CompiledRuleSet
  readonly loadedAt: Date
  /** the folder the live set was read from (a promoted challenger's folder after a promotion) */
  readonly rulesDir: string
  /**
   * Loads the folder again and swaps it in. Throws a RuleSetError (the old set stays live) when the
   * new set may not go live: it does not compile, or its lint finds an error (src/ruleset/go-live.ts),
   * or a check added with addCheck refuses it.
   */
  reload: () => Promise<CompiledRuleSet>
  /**
   * Makes a set read from `rulesDir` and checked already the live set, in one assignment (a
   * challenger's promotion: src/rollout/); later reloads read `rulesDir`.
   */
  promote: (ruleSet: CompiledRuleSet, rulesDir: string) => void
  /** a check every reloaded set must pass before it goes live: the problems that refuse it (none: it may) */
  addCheck: (check: (next: CompiledRuleSet) => readonly SourceError[]) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    rules: RulesHolder
  }
}

export function createRulesHolder (initialDir: string, initial: CompiledRuleSet): RulesHolder {
  let current = initial
  let rulesDir = initialDir
  let loadedAt = new Date()
  let pending: Promise<CompiledRuleSet> | undefined
  const checks: Array<(next: CompiledRuleSet) => readonly SourceError[]> = []
  return {
    get current () { return current },
    get loadedAt () { return loadedAt },
    get rulesDir () { return rulesDir },
    async reload () {
      // concurrent reloads share one read of the folder
      const dir = rulesDir
      pending ??= loadRuleSet(dir).then((next) => {
        // a challenger promoted while the old folder was read: its folder is the live one now
        if (dir !== rulesDir) throw new RuleSetError([{ file: next.definition.file, line: 1, column: 1, message: 'the live rule folder changed while it was read (a challenger was promoted): reload again' }])
        const problems = checks.flatMap((check) => check(next))
        if (problems.length > 0) throw new RuleSetError(problems)
        current = next
        loadedAt = new Date()
        return next
      }).finally(() => { pending = undefined })
      return pending
    },
    promote (ruleSet, dir) {
      current = ruleSet
      rulesDir = dir
      loadedAt = new Date()
    },
    addCheck (check) { checks.push(check) }
  }
}

/**
 * Loads the rule set at registration, as `riskgate rules check` checks it: a set with any error,
 * compile or lint (warnings do not count), throws a RuleSetError listing every `file:line:col`
 * problem, and the app refuses to start.
 */
export const rulesPlugin = fp(async function rules (fastify, opts: RulesOptions) {
  const ruleSet = await loadRuleSet(opts.rulesDir)
  fastify.decorate('rules', createRulesHolder(opts.rulesDir, ruleSet))
  // which conditions run compiled, and which the interpreter evaluates (with the construct why)
  fastify.log.info({ version: ruleSet.version, hash: ruleSet.hash, rules: ruleSet.rules.length, ...compilationSummary(ruleSet) }, 'rule set loaded')
}, { name: 'rules', fastify: '5.x' })
