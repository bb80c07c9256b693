import type { DecisionOutcome, OutcomeLabel } from '../decision-log/record.js'
import type { DecisionLogStore, OutcomeResult } from '../decision-log/store.js'
import { scrubCardNumbers } from '../security/luhn.js'
import { OUTCOME_RANK } from './precedence.js'

export interface OutcomeReport {
  label: OutcomeLabel
  source: DecisionOutcome['source']
  note?: string
  event_id?: string
  at?: Date
}

export const MAX_NOTE_LENGTH = 500

/**
 * Attaches an outcome to a recorded decision. API reports replace the stored outcome; webhook
 * reports follow OUTCOME_RANK. The note is cut to 500 characters and scrubbed of card numbers.
 */
export async function reportOutcome (store: Pick<DecisionLogStore, 'setOutcome'>, decisionId: string, report: OutcomeReport): Promise<OutcomeResult> {
  const outcome: DecisionOutcome = { label: report.label, at: (report.at ?? new Date()).toISOString(), source: report.source }
  if (report.event_id !== undefined) outcome.event_id = report.event_id
  if (report.note !== undefined && report.note !== '') outcome.note = scrubCardNumbers(report.note.slice(0, MAX_NOTE_LENGTH))
  return await store.setOutcome(decisionId, { outcome, rank: OUTCOME_RANK[report.label], force: report.source === 'api' })
}
