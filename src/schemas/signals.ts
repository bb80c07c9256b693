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
  risk: Type.Optional(Type.Number({ description: 'IP risk score 0.01..99 when the anonymizer database has one' })),
  connection_type: Type.Optional(Type.String({ description: 'from a GeoIP2-Connection-Type database, as MaxMind gives it: Cable/DSL, Cellular, Corporate, Satellite' }))
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

export const DeviceSignalsSchema = Type.Object({
  user_agent: Type.Optional(Type.String({ description: 'the user_agent sent (card numbers scrubbed)' })),
  browser: Type.Optional(Type.String({ description: 'browser name as bowser gives it: Chrome, Safari, Firefox, Microsoft Edge, Samsung Internet for Android...' })),
  os: Type.Optional(Type.String({ description: 'operating system name as bowser gives it: Windows, macOS, iOS, Android, Linux, Chrome OS...' })),
  is_mobile: Type.Optional(Type.Boolean({ description: 'a phone or a tablet' })),
  is_bot: Type.Optional(Type.Boolean({ description: 'a crawler, a headless or automated browser, or an HTTP library (curl, python-requests...)' })),
  accept_language: Type.Optional(Type.String({ description: 'the accept_language sent' })),
  language: Type.Optional(Type.String({ description: 'the first preferred language by q-value: its primary subtag, lower case (id from id-ID,id;q=0.9)' }))
}, { additionalProperties: false })
export type DeviceSignals = Static<typeof DeviceSignalsSchema>

/** velocity counter name -> value, the charge being scored included */
export const VelocitySignalsSchema = Type.Record(Type.String(), Type.Integer())
export type VelocitySignals = Static<typeof VelocitySignalsSchema>
