/**
 * What the primary process and its workers tell each other over node:cluster's IPC channel. Only
 * these shapes; anything else is ignored.
 */
export const ClusterMessage = {
  /** worker -> primary: a reload put a new rule set live here (by the API or a signal) */
  RULES_APPLIED: 'riskgate:rules-applied',
  /** primary -> worker: reload the rule folder, as another worker (or a SIGHUP) did */
  RELOAD_RULES: 'riskgate:reload-rules'
} as const

export interface RulesApplied { type: typeof ClusterMessage.RULES_APPLIED, actor: string }
export interface ReloadRules { type: typeof ClusterMessage.RELOAD_RULES, actor: string }

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
