import { Type } from 'typebox'
import { CHARGE_EXAMPLE } from './examples.js'
import type { Static } from 'typebox'

/**
 * The charge context a merchant sends to POST /v1/score (DESIGN.md, "API (v1)").
 * No coercion and no unknown fields: every object is closed.
 */
const Str = (maxLength: number, extra: Record<string, unknown> = {}) =>
  Type.String({ maxLength, ...extra })

export const AddressSchema = Type.Object({
  name: Type.Optional(Str(200)),
  line1: Type.Optional(Str(200)),
  line2: Type.Optional(Str(200)),
  city: Type.Optional(Str(100)),
  state: Type.Optional(Str(100)),
  postal_code: Type.Optional(Str(20)),
  country: Type.Optional(Str(2, { minLength: 2, pattern: '^[A-Za-z]{2}$' }))
}, { additionalProperties: false })
export type Address = Static<typeof AddressSchema>

export const CardSchema = Type.Object({
  bin: Type.Optional(Str(8, { pattern: '^[0-9]{6,8}$', description: 'first 6-8 digits' })),
  last4: Type.Optional(Str(4, { pattern: '^[0-9]{4}$' })),
  country: Type.Optional(Str(2, { minLength: 2, pattern: '^[A-Za-z]{2}$' })),
  fingerprint: Type.Optional(Str(128, { minLength: 1, description: "the gateway's card fingerprint or token" })),
  brand: Type.Optional(Str(40)),
  funding: Type.Optional(Str(20, { description: 'credit, debit, prepaid...' }))
}, { additionalProperties: false })
export type Card = Static<typeof CardSchema>

export const ItemSchema = Type.Object({
  sku: Type.Optional(Str(100)),
  name: Type.Optional(Str(200)),
  category: Type.Optional(Str(100)),
  quantity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  unit_price: Type.Optional(Type.Integer({ minimum: 0, description: 'minor units' }))
}, { additionalProperties: false })
export type Item = Static<typeof ItemSchema>

export const MetadataSchema = Type.Record(
  Type.String({ maxLength: 64 }),
  Type.Union([Str(500), Type.Number(), Type.Boolean()]),
  { maxProperties: 50 }
)

export const ChargeContextSchema = Type.Object({
  charge_id: Str(128, { minLength: 1 }),
  amount: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units (satang, cents)' }),
  currency: Str(3, { minLength: 3, pattern: '^[A-Za-z]{3}$', description: 'ISO 4217' }),
  ip: Str(64, { minLength: 2, description: "the shopper's IP, v4 or v6" }),
  email: Type.Optional(Str(254, { minLength: 3, pattern: '^[^@\\s]+@[^@\\s]+$' })),
  customer_id: Type.Optional(Str(128, { minLength: 1 })),
  description: Type.Optional(Str(1000)),
  card: Type.Optional(CardSchema),
  billing: Type.Optional(AddressSchema),
  shipping: Type.Optional(AddressSchema),
  items: Type.Optional(Type.Array(ItemSchema, { maxItems: 100 })),
  user_agent: Type.Optional(Str(1000)),
  accept_language: Type.Optional(Str(200)),
  metadata: Type.Optional(MetadataSchema)
}, { additionalProperties: false, examples: [CHARGE_EXAMPLE] })
export type ChargeContext = Static<typeof ChargeContextSchema>
