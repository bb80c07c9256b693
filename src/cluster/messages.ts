import type { ChallengerChange } from '../rollout/challenger-changes.js'

/**
 * What the primary process and its workers tell each other over node:cluster's IPC channel. Only
 * these shapes; anything else is ignored.
 */
export const ClusterMessage = {
  /** worker -> primary: a reload put a new rule set live here (by the API or a signal) */
  RULES_APPLIED: 'riskgate:rules-applied',
  /** primary -> worker: reload the rule folder, as another worker (or a SIGHUP) did */
  RELOAD_RULES: 'riskgate:reload-rules',
  /** worker -> primary: the challenger was staged, dropped or promoted here (by the API) */
  CHALLENGER_CHANGED: 'riskgate:challenger-changed',
  /** primary -> worker: make the same change of the challenger, as another worker did */
  FOLLOW_CHALLENGER: 'riskgate:follow-challenger'
} as const

export interface RulesApplied { type: typeof ClusterMessage.RULES_APPLIED, actor: string }
export interface ReloadRules { type: typeof ClusterMessage.RELOAD_RULES, actor: string }
export interface ChallengerChanged { type: typeof ClusterMessage.CHALLENGER_CHANGED, actor: string, change: ChallengerChange }
export interface FollowChallenger { type: typeof ClusterMessage.FOLLOW_CHALLENGER, actor: string, change: ChallengerChange }

/** a change of the challenger as a message carries it, checked field by field */
export function isChallengerChange (value: unknown): value is ChallengerChange {
  if (typeof value !== 'object' || value === null) return false
  const change = value as Record<string, unknown>
  switch (change.action) {
    case 'stage': return typeof change.rulesDir === 'string' && typeof change.rollout === 'string' && typeof change.hash === 'string'
    case 'drop': return true
    case 'promote': return typeof change.rulesDir === 'string' && typeof change.hash === 'string'
    default: return false
  }
}

/**
 * The settings a worker started after `change` needs to serve as the others do (the primary forks a
 * replacement with them): the challenger staged (or none), and after a promotion the live folder.
 * An empty setting is an unset one (src/config/load-config.ts).
 */
export function settingsAfter (change: ChallengerChange): Record<string, string> {
  switch (change.action) {
    case 'stage': return { RISKGATE_CHALLENGER_RULES: change.rulesDir, RISKGATE_CHALLENGER_ROLLOUT: change.rollout }
    case 'drop': return { RISKGATE_CHALLENGER_RULES: '', RISKGATE_CHALLENGER_ROLLOUT: '' }
    case 'promote': return { RISKGATE_RULES_DIR: change.rulesDir, RISKGATE_CHALLENGER_RULES: '', RISKGATE_CHALLENGER_ROLLOUT: '' }
  }
}

export function isMessage<T extends { type: string }> (value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type &&
    typeof (value as { actor?: unknown }).actor === 'string'
}

const FOLLOWED = 'cluster (following '

/** the actor a followed reload is audited as: which process's reload it follows, and who asked there */
export function followedActor (actor: string): string {
  return `${FOLLOWED}${actor.slice(0, 120)})`
}

/** whether a reload follows another (then it is not announced again: no reload loops) */
export function isFollowed (actor: string): boolean {
  return actor.startsWith(FOLLOWED)
}
