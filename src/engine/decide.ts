import type { Decision, Thresholds } from './ruleset.js'

/** The fired actions of one evaluation, as bit flags (no allocation on the hot path). */
export const ActionFlag = {
  ALLOW: 1,
  BLOCK: 2,
  REVIEW: 4
} as const

export const MIN_SCORE = 0
export const MAX_SCORE = 100

export function clampScore (sum: number): number {
  return sum < MIN_SCORE ? MIN_SCORE : sum > MAX_SCORE ? MAX_SCORE : sum
}

/**
 * The fixed precedence of DESIGN.md: an `allow` action wins over everything, then a `block`
 * action, then a `review` action; only when no action fired does the score decide
 * (score >= block threshold -> block, >= review threshold -> review, else allow).
 */
export function decide (thresholds: Thresholds, score: number, actions: number): Decision {
  if ((actions & ActionFlag.ALLOW) !== 0) return 'allow'
  if ((actions & ActionFlag.BLOCK) !== 0) return 'block'
  if ((actions & ActionFlag.REVIEW) !== 0) return 'review'
  if (score >= thresholds.block) return 'block'
  if (score >= thresholds.review) return 'review'
  return 'allow'
}
