import { EngineVersion } from './engine-version.js'
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

/** The action flags of fired rules (`reasons`): what decide() takes. */
export function actionFlagsOf (reasons: ReadonlyArray<{ action: string | null }>): number {
  let flags = 0
  for (const reason of reasons) {
    if (reason.action === 'allow') flags |= ActionFlag.ALLOW
    else if (reason.action === 'block') flags |= ActionFlag.BLOCK
    else if (reason.action === 'review') flags |= ActionFlag.REVIEW
  }
  return flags
}

/**
 * The fixed precedence of DESIGN.md "Rule files":
 *
 *   1. a fired `allow` action              -> allow  (it alone overrides a block: trusted customers)
 *   2. a fired `block` action, or the score at or over the block threshold  -> block
 *   3. a fired `review` action, or the score at or over the review threshold -> review
 *   4. otherwise                           -> allow
 *
 * A `review` action raises a decision, never lowers one: a score that reached the block threshold
 * blocks even when a review rule fires too.
 */
export function decide (thresholds: Thresholds, score: number, actions: number): Decision {
  if ((actions & ActionFlag.ALLOW) !== 0) return 'allow'
  if ((actions & ActionFlag.BLOCK) !== 0 || score >= thresholds.block) return 'block'
  if ((actions & ActionFlag.REVIEW) !== 0 || score >= thresholds.review) return 'review'
  return 'allow'
}

/**
 * The precedence of engine version 1 (before EngineVersion.PRECEDENCE): any fired action decided
 * (allow > block > review) and the score only when none fired, so a `review` action turned a
 * score at the block threshold into a review. Kept so that a backtest can tell which recorded
 * decisions differ only because of the change.
 */
export function decideEngine1 (thresholds: Thresholds, score: number, actions: number): Decision {
  if ((actions & ActionFlag.ALLOW) !== 0) return 'allow'
  if ((actions & ActionFlag.BLOCK) !== 0) return 'block'
  if ((actions & ActionFlag.REVIEW) !== 0) return 'review'
  if (score >= thresholds.block) return 'block'
  if (score >= thresholds.review) return 'review'
  return 'allow'
}

/** The decision the given engine version makes of the same score and actions. */
export function decideAs (engine: number, thresholds: Thresholds, score: number, actions: number): Decision {
  return engine < EngineVersion.PRECEDENCE ? decideEngine1(thresholds, score, actions) : decide(thresholds, score, actions)
}
