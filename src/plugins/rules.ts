import fp from 'fastify-plugin'
import type { CompiledRuleSet } from '../engine/ruleset.js'
import { loadRuleSet } from '../ruleset/load.js'
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
  readonly rulesDir: string
  /**
   * Loads the folder again and swaps it in. Throws a RuleSetError (the old set stays live) when the
   * new set may not go live: it does not compile, or its lint finds an error (src/ruleset/go-live.ts).
   */
  reload: () => Promise<CompiledRuleSet>
}

declare module 'fastify' {
  interface FastifyInstance {
    rules: RulesHolder
  }
}

export function createRulesHolder (rulesDir: string, initial: CompiledRuleSet): RulesHolder {
  let current = initial
  let loadedAt = new Date()
  let pending: Promise<CompiledRuleSet> | undefined
  return {
    get current () { return current },
    get loadedAt () { return loadedAt },
    rulesDir,
    async reload () {
      // concurrent reloads share one read of the folder
      pending ??= loadRuleSet(rulesDir).then((next) => {
        current = next
        loadedAt = new Date()
        return next
      }).finally(() => { pending = undefined })
      return pending
    }
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
