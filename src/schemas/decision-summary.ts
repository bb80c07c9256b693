import { Type } from 'typebox'
import type { Static } from 'typebox'
import { DecisionSchema } from './decision.js'
import { OutcomeSchema } from './decision-log.js'

/** A fired rule as summaries name it: its id and its description in the live rule set (empty when no longer in it). */
export const SummaryReasonSchema = Type.Object({
  rule: Type.String(),
  description: Type.String()
}, { additionalProperties: false })

/** The fields of a decision summary (shared by the review queue's summaries). */
export const DecisionSummaryProperties = {
  decision_id: Type.String(),
  charge_id: Type.String(),
  at: Type.String({ description: 'ISO 8601 time of the decision' }),
  amount: Type.Integer({ description: 'minor units' }),
  currency: Type.String(),
  country: Type.Union([Type.String(), Type.Null()], { description: "the IP's country (null when unknown)" }),
  card_country: Type.Union([Type.String(), Type.Null()], { description: "the card's country (null when unknown)" }),
  decision: DecisionSchema,
  score: Type.Integer(),
  reasons: Type.Array(SummaryReasonSchema, { description: 'the live rules that fired' }),
  degraded: Type.Array(Type.String(), { description: 'signals unavailable for this decision' }),
  outcome: Type.Optional(OutcomeSchema)
}

/** One decision in a list (search, review queue): what an analyst scans. */
export const DecisionSummarySchema = Type.Object(DecisionSummaryProperties, { additionalProperties: false, $id: 'DecisionSummary' })
export type DecisionSummary = Static<typeof DecisionSummarySchema>
