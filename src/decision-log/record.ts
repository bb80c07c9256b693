import type { Features } from '../engine/features.js'
import type { Decision } from '../schemas/decision.js'

/**
 * One recorded decision: what the engine saw and what it decided, so that a backtest replays the
 * exact features through the same engine code. Version 1.
 *
 * Identifiers in `features` (IP address, email address, card fingerprint, customer id, names and
 * street lines) are replaced by keyed hashes (HMAC with RISKGATE_HASH_KEY) before the record is
 * written; see src/decision-log/snapshot.ts for the list. Lists are hashed the same way at replay,
 * so `email.address in lists.blocked_emails` replays exactly.
 */
export interface DecisionRecord {
  v: 1
  decision_id: string
  /** the merchant's charge id (not personal data; outcomes are joined on it) */
  charge_id: string
  /** ISO 8601 time of the decision */
  at: string
  amount: number
  currency: string
  features: Features
  ruleset: { version: string, hash: string }
  /**
   * the engine version that decided (src/engine/engine-version.ts): the same rules and features
   * may decide otherwise in another; absent when unknown (a record whose context was lost, or an
   * export made before it was recorded: read as version 1)
   */
  engine?: number
  /** data source name -> build date used */
  data: Record<string, string>
  decision: Decision
  score: number
  /** ids of the live rules that fired */
  fired: string[]
  /** what live and shadow rules together would decide; `fired` lists the shadow rules that fired */
  shadow: { decision: Decision, score: number, fired: string[] }
  /** ids of the rules skipped for unknown inputs */
  skipped: string[]
  degraded: string[]
  /**
   * when a challenger rule set ran beside the live one (src/rollout/): which of the two decided
   * (its outcome is `decision`, `score`, `fired`, `shadow` and `skipped`, and `ruleset` names it)
   * and what each decided
   */
  rollout?: RecordedRollout
  /** the latest outcome reported for this decision, when there is one (by precedence: src/outcomes/precedence.ts) */
  outcome?: DecisionOutcome
  /**
   * every outcome reported for this decision, oldest first (at most MAX_OUTCOME_HISTORY, the
   * oldest dropped beyond), including those kept out by precedence
   */
  outcomes?: DecisionOutcome[]
}

export interface RecordedRollout {
  decided_by: 'live' | 'challenger'
  /** shadow: the challenger decided no charge; enforce: it decided a share of them */
  mode: 'shadow' | 'enforce'
  live: RolloutSide
  challenger: RolloutSide
}

/** what one rule set of a rollout decided */
export interface RolloutSide {
  version: string
  hash: string
  decision: Decision
  score: number
  /** ids of its live rules that fired */
  fired: string[]
}

/** outcomes kept per decision in its history */
export const MAX_OUTCOME_HISTORY = 50

export const OutcomeLabel = {
  FRAUD: 'fraud',
  LEGIT: 'legit',
  CHARGEBACK: 'chargeback',
  REFUND: 'refund',
  REVIEW_APPROVED: 'review_approved',
  REVIEW_REJECTED: 'review_rejected',
  /** the gateway's own fraud screening refused the charge (Midtrans `deny`): its verdict, not a confirmed fraud */
  GATEWAY_DENIED: 'gateway_denied'
} as const
export type OutcomeLabel = typeof OutcomeLabel[keyof typeof OutcomeLabel]

export interface DecisionOutcome {
  label: OutcomeLabel
  /** ISO 8601 time the outcome was reported */
  at: string
  /** api: POST /v1/decisions/:id/outcome; review: an analyst closed the review (API or console); omise, stripe, midtrans, adyen: a gateway webhook; import: POST /v1/outcomes:batch */
  source: 'api' | 'omise' | 'stripe' | 'midtrans' | 'adyen' | 'review' | 'import'
  /** who reported it: the API key id (`key:<id>`), the console user (`console:<key id>`), or the gateway (`omise`, `stripe`, `midtrans`, `adyen`) */
  actor?: string
  /** the webhook event id, for outcomes that came from a webhook; the dispute, refund or row imported */
  event_id?: string
  /** free text from the reporter (API only; at most 500 characters, scrubbed of card numbers) */
  note?: string
}
