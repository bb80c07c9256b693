import type { DecisionOutcome, OutcomeLabel } from '../decision-log/record.js'
import type { DecisionLogStore, OutcomeResult, OutcomeWrite } from '../decision-log/store.js'
import { scrubCardNumbers } from '../security/scrub-card-numbers.js'
import { OUTCOME_RANK } from './precedence.js'

export interface OutcomeReport {
  label: OutcomeLabel
  source: DecisionOutcome['source']
  /** who reports it: `key:<key id>`, `console:<key id>`, the gateway */
  actor?: string
  note?: string
  event_id?: string
  /** when it was reported (ISO 8601); default now */
  at?: string
}

export const MAX_NOTE_LENGTH = 500

/**
 * The write of an outcome: reports through the API (outcomes and review closes, the merchant's or
 * an analyst's own judgement) replace the stored outcome; webhook reports follow OUTCOME_RANK.
 * The note is cut to 500 characters and scrubbed of card numbers.
 */
export function outcomeWrite (report: OutcomeReport): OutcomeWrite {
  const outcome: DecisionOutcome = { label: report.label, at: report.at ?? new Date().toISOString(), source: report.source }
  if (report.actor !== undefined) outcome.actor = report.actor
  if (report.event_id !== undefined) outcome.event_id = report.event_id
  if (report.note !== undefined && report.note !== '') outcome.note = scrubCardNumbers(report.note).slice(0, MAX_NOTE_LENGTH)
  return { outcome, rank: OUTCOME_RANK[report.label], force: report.source === 'api' || report.source === 'review' }
}

/** Attaches an outcome to a recorded decision, or one being decided. */
export async function reportOutcome (store: Pick<DecisionLogStore, 'setOutcome'>, decisionId: string, report: OutcomeReport): Promise<OutcomeResult> {
  return await store.setOutcome(decisionId, outcomeWrite(report))
}
