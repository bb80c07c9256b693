import { Type } from 'typebox'
import type { Static } from 'typebox'
import { RuleSetViewSchema } from './rules.js'

const VersionHash = Type.Object({ version: Type.String(), hash: Type.String() }, { additionalProperties: false })
const Mode = Type.Union([Type.Literal('shadow'), Type.Literal('enforce')], {
  description: 'shadow: evaluated on every charge, never enforced; enforce: decides the charges of `percent` of the customers (or cards), by a keyed hash of their identifier'
})
const By = Type.Union([Type.Literal('customer.id'), Type.Literal('card.fingerprint')], {
  description: 'the identifier a charge is assigned by (the other one when the charge has not this one; the live set decides a charge with neither)'
})
const count = Type.Integer({ minimum: 0 })
const share = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])

/** POST /v1/rules/challenger */
export const ChallengerStageRequestSchema = Type.Object({
  rules_dir: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'the challenger rule set folder on the server (ruleset.yaml, lists/); default: RISKGATE_CHALLENGER_RULES' })),
  mode: Mode,
  percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'mode enforce: the share (in percent) of customers or cards the challenger decides for' })),
  by: Type.Optional(By)
}, { additionalProperties: false })
export type ChallengerStageRequest = Static<typeof ChallengerStageRequestSchema>

/** A challenger as changes and the audit log describe it. */
export const ChallengerSummarySchema = Type.Object({
  rules_dir: Type.String(),
  mode: Mode,
  percent: Type.Union([Type.Integer(), Type.Null()]),
  by: Type.Union([By, Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  hash: Type.Union([Type.String(), Type.Null()])
}, { additionalProperties: false })

/** GET /v1/rules/challenger */
export const ChallengerStateSchema = Type.Object({
  challenger: Type.Union([Type.Null(), Type.Object({
    rules_dir: Type.String(),
    mode: Mode,
    percent: Type.Union([Type.Integer(), Type.Null()]),
    by: Type.Union([By, Type.Null()]),
    staged_at: Type.String(),
    staged_by: Type.String({ description: 'the API key id, `start` (RISKGATE_CHALLENGER_RULES), or the worker process it follows' }),
    rule_set: RuleSetViewSchema
  }, { additionalProperties: false })], { description: 'the staged challenger; null when none is' })
}, { additionalProperties: false })

export const ChallengerStageResponseSchema = Type.Object({
  result: Type.Union([Type.Literal('applied'), Type.Literal('unchanged')]),
  at: Type.String(),
  live: VersionHash,
  challenger: ChallengerSummarySchema,
  /** false when the audit log could not be written */
  audited: Type.Boolean()
}, { additionalProperties: false })

export const ChallengerDropResponseSchema = Type.Object({
  result: Type.Literal('applied'),
  at: Type.String(),
  live: VersionHash,
  dropped: ChallengerSummarySchema,
  audited: Type.Boolean()
}, { additionalProperties: false })

export const ChallengerPromoteResponseSchema = Type.Object({
  result: Type.Literal('applied'),
  at: Type.String(),
  /** the set live before */
  previous: VersionHash,
  /** the promoted challenger, live now */
  live: VersionHash,
  promoted: ChallengerSummarySchema,
  audited: Type.Boolean()
}, { additionalProperties: false })

export const ComparisonQuerySchema = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, included; default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, excluded; default: now' }))
}, { additionalProperties: false })

const SetComparisonSchema = Type.Object({
  version: Type.String(),
  hash: Type.String(),
  decisions: Type.Object({ allow: count, review: count, block: count }, { additionalProperties: false }),
  fraud_caught: Type.Integer({ minimum: 0, description: 'labelled fraud it blocked' }),
  fraud_reviewed: count,
  fraud_missed: Type.Integer({ minimum: 0, description: 'labelled fraud it allowed' }),
  good_blocked: Type.Integer({ minimum: 0, description: 'labelled good charges it blocked' }),
  good_reviewed: count,
  precision: Type.Union([Type.Number(), Type.Null()], { description: 'fraud blocked / labelled charges blocked' }),
  recall: Type.Union([Type.Number(), Type.Null()], { description: 'fraud blocked / labelled fraud' })
}, { additionalProperties: false })

const Row = Type.Object({ allow: count, review: count, block: count }, { additionalProperties: false })

export const PairComparisonSchema = Type.Object({
  live: VersionHash,
  challenger: VersionHash,
  charges: count,
  modes: Type.Object({ shadow: count, enforce: count }, { additionalProperties: false }),
  decided_by: Type.Object({ live: count, challenger: count }, { additionalProperties: false }),
  agreed: count,
  agreement: share,
  matrix: Type.Object({ allow: Row, review: Row, block: Row }, { additionalProperties: false, description: 'live decision -> challenger decision -> charges' }),
  outcomes: Type.Object({ fraud: count, good: count, unlabelled: count }, { additionalProperties: false }),
  sets: Type.Object({ live: SetComparisonSchema, challenger: SetComparisonSchema }, { additionalProperties: false })
}, { additionalProperties: false })

/** GET /v1/rules/challenger/comparison */
export const ComparisonResponseSchema = Type.Object({
  from: Type.String(),
  to: Type.String({ description: 'the end of the range, or the time of the last record read when the comparison stopped at its limit' }),
  records: Type.Integer({ minimum: 0, description: 'recorded decisions read' }),
  truncated: Type.Boolean({ description: 'true when the range held more records than one comparison reads (the oldest were read): narrow it' }),
  compared: Type.Integer({ minimum: 0, description: 'of which decided with a challenger beside the live set' }),
  period: Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
  refund_as: Type.Union([Type.Literal('fraud'), Type.Literal('good'), Type.Literal('unlabelled')]),
  pairs: Type.Array(PairComparisonSchema, { description: 'one per (live set, challenger) pair, the most charges first' })
}, { additionalProperties: false })
