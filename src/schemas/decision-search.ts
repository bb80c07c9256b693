import { Type } from 'typebox'
import type { Static } from 'typebox'
import { DecisionSchema } from './decision.js'
import { DecisionSummarySchema } from './decision-summary.js'
import { OutcomeLabelSchema } from './decision-log.js'
import { CursorQuerySchema, LimitQuerySchema } from './pagination.js'

const Str = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description })

/**
 * GET /v1/decisions: every filter given must hold. Identifier filters take the raw value, which
 * the server hashes with the keyed hash; at most one of them a request.
 */
export const SearchQuerySchema = Type.Object({
  decision: Type.Optional(DecisionSchema),
  rule: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'a rule id that fired (live rules)' })),
  outcome: Type.Optional(Type.Union([...OutcomeLabelSchema.anyOf, Type.Literal('none')], {
    description: "the decision's latest outcome label, or none for decisions without one"
  })),
  from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, included' })),
  to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or time, excluded' })),
  charge_id: Type.Optional(Str(128, "the merchant's charge id, or a gateway charge id linked to it")),
  email: Type.Optional(Str(254, 'the email address as sent (trimmed and lower-cased as scoring does, then hashed)')),
  ip: Type.Optional(Str(64, 'the IP address, v4 or v6 (normalized as scoring does, then hashed)')),
  card_fingerprint: Type.Optional(Str(128, "the gateway's card fingerprint or token (hashed)")),
  customer_id: Type.Optional(Str(128, "the merchant's customer id (hashed)")),
  limit: Type.Optional(LimitQuerySchema),
  cursor: Type.Optional(CursorQuerySchema)
}, { additionalProperties: false })
export type SearchQueryString = Static<typeof SearchQuerySchema>

export const SearchResponseSchema = Type.Object({
  decisions: Type.Array(DecisionSummarySchema, { description: 'newest first' }),
  next_cursor: Type.Optional(Type.String({ description: 'absent: nothing more matches; a page may hold fewer than limit decisions and still have one' }))
}, { additionalProperties: false })

export const ChargeIdParamsSchema = Type.Object({
  charge_id: Type.String({ minLength: 1, maxLength: 128 })
}, { additionalProperties: false })
