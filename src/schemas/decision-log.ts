import { Type } from 'typebox'
import { OUTCOME_REQUEST_EXAMPLE } from './examples.js'
import type { Static } from 'typebox'
import type { Features } from '../engine/features.js'
import { DecisionSchema, ReasonSchema } from './decision.js'
import { ReviewSchema } from './review.js'

/** The ids riskgate gives decisions (UUIDs) and anything of the same shape. */
export const DecisionIdParamsSchema = Type.Object({
  decision_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })
}, { additionalProperties: false })

const REPORTABLE_LABELS = [
  Type.Literal('fraud'), Type.Literal('legit'), Type.Literal('chargeback'), Type.Literal('refund'),
  Type.Literal('review_approved'), Type.Literal('review_rejected')
] as const

export const OutcomeLabelSchema = Type.Union([...REPORTABLE_LABELS, Type.Literal('gateway_denied')], {
  description: 'what really happened: fraud, legit, chargeback, refund, review_approved, review_rejected; gateway_denied: the gateway\'s own fraud screening refused the charge (a gateway webhook only)'
})

/** the labels the outcome API takes: gateway_denied comes only from a gateway's webhook */
export const ReportableOutcomeLabelSchema = Type.Union([...REPORTABLE_LABELS], {
  description: 'what really happened: fraud, legit, chargeback, refund, review_approved, review_rejected'
})

export const MAX_OUTCOME_NOTE = 500

export const OutcomeRequestSchema = Type.Object({
  label: ReportableOutcomeLabelSchema,
  note: Type.Optional(Type.String({ maxLength: MAX_OUTCOME_NOTE, description: 'free text; card numbers are removed before it is stored' }))
}, { additionalProperties: false, examples: [OUTCOME_REQUEST_EXAMPLE] })
export type OutcomeRequest = Static<typeof OutcomeRequestSchema>

export const OutcomeSchema = Type.Object({
  label: OutcomeLabelSchema,
  at: Type.String({ description: 'ISO 8601 time the outcome was reported' }),
  source: Type.Union([Type.Literal('api'), Type.Literal('omise'), Type.Literal('stripe'), Type.Literal('midtrans'), Type.Literal('adyen'), Type.Literal('review'), Type.Literal('import')], {
    description: 'api: reported through the API; review: an analyst closed the review; omise, stripe, midtrans, adyen: a gateway webhook; import: imported in bulk (POST /v1/outcomes:batch)'
  }),
  actor: Type.Optional(Type.String({ description: 'who reported it: key:<API key id>, console:<API key id>, or the gateway' })),
  event_id: Type.Optional(Type.String({ description: 'the webhook event, for outcomes that came from one; the dispute, refund or row, for imported ones' })),
  note: Type.Optional(Type.String())
}, { additionalProperties: false })

export const OutcomeResponseSchema = Type.Object({
  decision_id: Type.String(),
  /** the decision's latest outcome now: the one just reported */
  outcome: OutcomeSchema
}, { additionalProperties: false })
export type OutcomeResponse = Static<typeof OutcomeResponseSchema>

export const OutcomeAcceptedSchema = Type.Object({
  decision_id: Type.String(),
  /** the store could not take the outcome now: it is queued and written as soon as it can be */
  queued: Type.Literal(true)
}, { additionalProperties: false })

const RolloutSideSchema = Type.Object({
  version: Type.String(),
  hash: Type.String(),
  decision: DecisionSchema,
  score: Type.Integer(),
  fired: Type.Array(Type.String(), { description: 'its live rules that fired' })
}, { additionalProperties: false })

/** what the live set and a challenger staged beside it decided (src/rollout/) */
const RecordedRolloutSchema = Type.Object({
  decided_by: Type.Union([Type.Literal('live'), Type.Literal('challenger')], {
    description: 'the set whose outcome is the decision, score, fired, shadow and skipped of the record (`ruleset` names it)'
  }),
  mode: Type.Union([Type.Literal('shadow'), Type.Literal('enforce')]),
  live: RolloutSideSchema,
  challenger: RolloutSideSchema
}, { additionalProperties: false, description: 'present when a challenger rule set ran beside the live one' })

/** A recorded decision (src/decision-log/record.ts), as GET /v1/decisions/:decision_id returns it. */
export const DecisionRecordSchema = Type.Object({
  v: Type.Literal(1),
  decision_id: Type.String(),
  charge_id: Type.String(),
  at: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  features: Type.Unsafe<Features>(Type.Object({}, {
    additionalProperties: true,
    description: 'what the rules saw; ip.address, email.address, card.fingerprint, customer.id and billing/shipping name and street lines are keyed hashes'
  })),
  ruleset: Type.Object({ version: Type.String(), hash: Type.String() }, { additionalProperties: false }),
  engine: Type.Optional(Type.Integer({ minimum: 1, description: 'the engine version that decided: the same rules may decide otherwise in another (rules/README.md, "Precedence")' })),
  data: Type.Record(Type.String(), Type.String()),
  decision: DecisionSchema,
  score: Type.Integer(),
  fired: Type.Array(Type.String()),
  shadow: Type.Object({ decision: DecisionSchema, score: Type.Integer(), fired: Type.Array(Type.String()) }, { additionalProperties: false }),
  skipped: Type.Array(Type.String()),
  degraded: Type.Array(Type.String()),
  rollout: Type.Optional(RecordedRolloutSchema),
  outcome: Type.Optional(OutcomeSchema),
  outcomes: Type.Optional(Type.Array(OutcomeSchema, { description: 'every outcome reported, oldest first (at most 50)' })),
  /** the review a `review` decision opened (GET /v1/decisions/:decision_id and by-charge) */
  review: Type.Optional(ReviewSchema),
  reasons: Type.Optional(Type.Array(ReasonSchema, {
    description: 'the live rules that fired, with their description, score and action in the live rule set and the values they read from the recorded features (identifiers as their keyed digests); a rule no longer in the live set has an empty description and no values (GET /v1/decisions/:decision_id and by-charge)'
  }))
}, { additionalProperties: false })

export const ExportQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, included' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, excluded' }))
}, { additionalProperties: false })
