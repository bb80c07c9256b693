/**
 * The version of the engine's semantics: what the same rule set decides from the same features.
 * It changes when that can change, and every decision record carries it (the record context of
 * src/decision-log/codec.ts), so a backtest can tell a difference the rules make from one the
 * engine makes. A record without it was made by version 1.
 *
 * History:
 *   1  actions decided before the score: allow > block > review, then the thresholds (a `review`
 *      action turned a score at the block threshold into a review)
 *   2  DESIGN.md's precedence: allow action > block (action or score >= block threshold) >
 *      review (action or score >= review threshold) > allow (src/engine/decide.ts)
 */
export const EngineVersion = {
  /** the first recorded engine: any fired action won over the score */
  FIRST: 1,
  /** a `review` action no longer lowers a score that reached the block threshold */
  PRECEDENCE: 2
} as const

/** The engine that runs in this process. */
export const ENGINE_VERSION: number = EngineVersion.PRECEDENCE
