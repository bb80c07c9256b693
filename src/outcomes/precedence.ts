import { OutcomeLabel } from '../decision-log/record.js'

/**
 * How strong the evidence of an outcome is. A webhook outcome never replaces a stored one of a
 * higher rank (a `legit` from a late `charge.complete` does not erase a chargeback); an equal or
 * higher rank replaces it (the latest wins). Outcomes reported through the API always replace:
 * they are the merchant's or an analyst's own judgement.
 */
export const OUTCOME_RANK = {
  [OutcomeLabel.LEGIT]: 1,
  [OutcomeLabel.REVIEW_APPROVED]: 1,
  [OutcomeLabel.REFUND]: 2,
  [OutcomeLabel.REVIEW_REJECTED]: 2,
  // the gateway's fraud screening refused the charge: stronger than a legit, weaker than a dispute
  [OutcomeLabel.GATEWAY_DENIED]: 2,
  [OutcomeLabel.CHARGEBACK]: 3,
  [OutcomeLabel.FRAUD]: 3
} as const satisfies Record<OutcomeLabel, number>
