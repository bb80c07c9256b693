import { Type } from 'typebox'
import { SCORE_RESPONSE_EXAMPLE } from './examples.js'
import type { Static } from 'typebox'
import { CardSignalsSchema, DeviceSignalsSchema, EmailSignalsSchema, IpSignalsSchema, VelocitySignalsSchema } from './signals.js'

export const DecisionSchema = Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block')])
export type Decision = Static<typeof DecisionSchema>

const FeatureValueSchema = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])

export const ReasonSchema = Type.Object({
  rule: Type.String(),
  description: Type.String(),
  score: Type.Union([Type.Integer(), Type.Null()]),
  action: Type.Union([DecisionSchema, Type.Null()]),
  /** the inputs the rule read, by feature path: "7 charges from this IP in 1 h" */
  values: Type.Record(Type.String(), FeatureValueSchema)
}, { additionalProperties: false })
export type Reason = Static<typeof ReasonSchema>

export const SkippedRuleSchema = Type.Object({
  rule: Type.String(),
  /** feature paths the rule reads that were unknown for this charge */
  unknown: Type.Array(Type.String()),
  error: Type.Optional(Type.String())
}, { additionalProperties: false })

export const DegradedSignal = {
  VELOCITY: 'velocity',
  IDEMPOTENCY: 'idempotency'
} as const

export const ScoreResponseSchema = Type.Object({
  decision_id: Type.String(),
  charge_id: Type.String(),
  decision: DecisionSchema,
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  reasons: Type.Array(ReasonSchema),
  shadow: Type.Object({
    decision: DecisionSchema,
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    reasons: Type.Array(ReasonSchema)
  }, { additionalProperties: false }),
  skipped: Type.Array(SkippedRuleSchema),
  signals: Type.Object({
    ip: IpSignalsSchema,
    email: Type.Optional(EmailSignalsSchema),
    card: Type.Optional(CardSignalsSchema),
    device: Type.Optional(DeviceSignalsSchema),
    billing_shipping_match: Type.Optional(Type.Boolean({ description: 'billing and shipping in the same country and postal code' })),
    ip_billing_distance_km: Type.Optional(Type.Integer({ minimum: 0, description: "km from the IP's location (a City database) to the billing city" })),
    velocity: Type.Optional(VelocitySignalsSchema)
  }, { additionalProperties: false }),
  degraded: Type.Array(Type.Union([Type.Literal(DegradedSignal.VELOCITY), Type.Literal(DegradedSignal.IDEMPOTENCY)]), {
    description: 'signals that were unavailable for this decision (the decision was made without them)'
  }),
  ruleset: Type.Object({
    version: Type.String(),
    hash: Type.String(),
    role: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('challenger')], {
      description: 'present when a challenger rule set ran beside the live one: which of the two decided this charge (this is its version and hash)'
    }))
  }, { additionalProperties: false, description: 'the rule set that decided' }),
  challenger: Type.Optional(Type.Object({
    version: Type.String(),
    hash: Type.String(),
    mode: Type.Union([Type.Literal('shadow'), Type.Literal('enforce')], {
      description: 'shadow: evaluated on every charge, never enforced; enforce: decides the charges of a share of customers or cards'
    }),
    decided: Type.Boolean({ description: 'true when the challenger decided this charge: the answer\'s decision, score and reasons are its own' }),
    decision: DecisionSchema,
    score: Type.Integer({ minimum: 0, maximum: 100 }),
    reasons: Type.Array(ReasonSchema, { description: 'the challenger\'s live rules that fired' })
  }, { additionalProperties: false, description: 'what a challenger rule set staged beside the live one decided (present only while one is staged)' })),
  data: Type.Record(Type.String(), Type.String(), { description: 'data source name -> version (build date) used' }),
  /** true when this charge_id was scored before and the stored decision is returned */
  replayed: Type.Boolean(),
  took_ms: Type.Number()
}, { additionalProperties: false, examples: [SCORE_RESPONSE_EXAMPLE] })
export type ScoreResponse = Static<typeof ScoreResponseSchema>
