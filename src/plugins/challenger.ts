import fp from 'fastify-plugin'
import type { ChallengerConfig } from '../config/challenger-env.js'
import { createChallengerSlot } from '../rollout/challenger-slot.js'
import type { ChallengerSlot } from '../rollout/challenger-slot.js'
import { formatRolloutSetting } from '../rollout/rollout.js'

export interface ChallengerOptions {
  /** RISKGATE_CHALLENGER_RULES and _ROLLOUT: staged at start; absent: none */
  challenger?: ChallengerConfig
}

/** who stages the configured challenger */
export const START_ACTOR = 'start'

declare module 'fastify' {
  interface FastifyInstance {
    /** the challenger rule set staged beside the live one, if any (src/rollout/) */
    challenger: ChallengerSlot
  }
}

/**
 * The challenger slot beside the live rule set. A challenger configured with
 * RISKGATE_CHALLENGER_RULES is staged at registration, checked as the live set is: one that may
 * not be staged (compile or lint errors, a velocity counter of the live set's name declared
 * otherwise) throws a RuleSetError and the app refuses to start. A live reload that would declare a
 * counter of the challenger's name otherwise is refused, the live set staying.
 */
export const challengerPlugin = fp(async function challenger (fastify, opts: ChallengerOptions) {
  const slot = createChallengerSlot(fastify.rules)
  fastify.rules.addCheck((next) => slot.checkLive(next))
  if (opts.challenger !== undefined) {
    const staged = await slot.stage(opts.challenger.rulesDir, opts.challenger.rollout, START_ACTOR)
    fastify.log.info({ version: staged.ruleSet.version, hash: staged.ruleSet.hash, rules: staged.ruleSet.rules.length, rollout: formatRolloutSetting(staged.rollout) }, 'challenger rule set staged')
  }
  fastify.decorate('challenger', slot)
}, { name: 'challenger', fastify: '5.x', dependencies: ['rules'] })
