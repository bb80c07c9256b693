import { Type } from 'typebox'
import type { Static } from 'typebox'

/**
 * The signals a decision saw. They are both the CEL environment of the rules and the `signals`
 * block of the score response. A signal that is unknown (no database for it, no email sent,
 * Redis unavailable) is absent, never false or zero: rules that read it are skipped.
 */
export const IpSignalsSchema = Type.Object({
  address: Type.String({ description: 'normalized address (IPv4-mapped IPv6 unmapped)' }),
  version: Type.Union([Type.Literal(4), Type.Literal(6)]),
  is_private: Type.Boolean({ description: 'private, loopback, link-local or otherwise reserved: never looked up' }),
  country: Type.Optional(Type.String({ description: 'ISO 3166-1 alpha-2, upper case' })),
  asn: Type.Optional(Type.Integer()),
  as_org: Type.Optional(Type.String()),
  is_tor: Type.Optional(Type.Boolean()),
  is_hosting: Type.Optional(Type.Boolean()),
  is_vpn: Type.Optional(Type.Boolean()),
  is_proxy: Type.Optional(Type.Boolean()),
  is_residential_proxy: Type.Optional(Type.Boolean()),
  is_anonymous: Type.Optional(Type.Boolean()),
  risk: Type.Optional(Type.Number({ description: 'IP risk score 0.01..99 when the anonymizer database has one' }))
}, { additionalProperties: false })
export type IpSignals = Static<typeof IpSignalsSchema>

export const EmailSignalsSchema = Type.Object({
  address: Type.String(),
  domain: Type.String(),
  is_disposable: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export type EmailSignals = Static<typeof EmailSignalsSchema>

export const CardSignalsSchema = Type.Object({
  bin: Type.Optional(Type.String()),
  last4: Type.Optional(Type.String()),
  country: Type.Optional(Type.String()),
  brand: Type.Optional(Type.String()),
  funding: Type.Optional(Type.String()),
  fingerprint: Type.Optional(Type.String())
}, { additionalProperties: false })
export type CardSignals = Static<typeof CardSignalsSchema>

/** velocity counter name -> value, the charge being scored included */
export const VelocitySignalsSchema = Type.Record(Type.String(), Type.Integer())
export type VelocitySignals = Static<typeof VelocitySignalsSchema>
