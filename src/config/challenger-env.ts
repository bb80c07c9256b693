import type { Env } from './env-schema.js'
import type { Rollout } from '../rollout/rollout.js'
import { parseRolloutSetting, SHADOW_ROLLOUT } from '../rollout/rollout.js'

/** The challenger rule set staged at start (src/rollout/), or undefined for none. */
export interface ChallengerConfig {
  /** RISKGATE_CHALLENGER_RULES: the folder; also what POST /v1/rules/challenger reads when its body names none */
  rulesDir: string
  /** RISKGATE_CHALLENGER_ROLLOUT (default shadow) */
  rollout: Rollout
}

/**
 * RISKGATE_CHALLENGER_RULES and RISKGATE_CHALLENGER_ROLLOUT. Throws an Error with the message to
 * show when the rollout is malformed, or given without a folder.
 */
export function challengerConfigFromEnv (raw: Env): ChallengerConfig | undefined {
  const text = raw.RISKGATE_CHALLENGER_ROLLOUT
  const rollout = text === undefined ? SHADOW_ROLLOUT : parseRolloutSetting(text)
  if (rollout === undefined) {
    throw new Error('RISKGATE_CHALLENGER_ROLLOUT must be shadow, or enforce:<percent 1-100>[:customer.id|card.fingerprint] (e.g. enforce:10:customer.id)')
  }
  if (raw.RISKGATE_CHALLENGER_RULES === undefined) {
    if (text !== undefined) throw new Error('RISKGATE_CHALLENGER_ROLLOUT is set without RISKGATE_CHALLENGER_RULES, the challenger rule set folder')
    return undefined
  }
  return { rulesDir: raw.RISKGATE_CHALLENGER_RULES, rollout }
}
