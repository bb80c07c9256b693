import { OutcomeLabel } from '../decision-log/record.js'
import type { DecisionOutcome } from '../decision-log/record.js'

/**
 * How a backtest counts a recorded outcome (docs/backtest.md, "Outcomes"):
 *
 * - fraud: `fraud`, `chargeback` (a dispute), and `review_rejected` (a reviewer judged the charge
 *   fraudulent: the label a manual review gives, though no chargeback can confirm it);
 * - good: `legit`, `review_approved`;
 * - `refund`: unlabelled by default (a refund says the money went back, not why), or counted as
 *   fraud or good with `--refund fraud|good` when a merchant refunds only for one reason;
 * - `gateway_denied` (the gateway's own fraud screening refused the charge): unlabelled. It is
 *   another model's verdict, not a confirmed fraud, and the charge never went through, so nothing
 *   can confirm it; counting it as fraud would reward rules for agreeing with the gateway's model;
 * - no outcome: unlabelled. Unlabelled charges count in decisions and rule hits, not in precision
 *   and recall.
 */
export const OutcomeClass = {
  FRAUD: 'fraud',
  GOOD: 'good',
  UNLABELLED: 'unlabelled'
} as const
export type OutcomeClass = typeof OutcomeClass[keyof typeof OutcomeClass]

export const OUTCOME_CLASSES: readonly OutcomeClass[] = [OutcomeClass.FRAUD, OutcomeClass.GOOD, OutcomeClass.UNLABELLED]

export function classifyOutcome (outcome: DecisionOutcome | undefined, refundAs: OutcomeClass = OutcomeClass.UNLABELLED): OutcomeClass {
  switch (outcome?.label) {
    case OutcomeLabel.FRAUD:
    case OutcomeLabel.CHARGEBACK:
    case OutcomeLabel.REVIEW_REJECTED:
      return OutcomeClass.FRAUD
    case OutcomeLabel.LEGIT:
    case OutcomeLabel.REVIEW_APPROVED:
      return OutcomeClass.GOOD
    case OutcomeLabel.REFUND:
      return refundAs
    case OutcomeLabel.GATEWAY_DENIED:
      return OutcomeClass.UNLABELLED
    default:
      return OutcomeClass.UNLABELLED
  }
}
