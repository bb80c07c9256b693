/**
 * The catalog of feature paths rules can read, with their CEL types: the single description of
 * the CEL environment (DESIGN.md, "Signals available to rules"). It mirrors src/engine/features.ts;
 * a field added there is added here to become visible to rules.
 */
export const CelScalar = {
  STRING: 'string',
  INT: 'int',
  DOUBLE: 'double',
  BOOL: 'bool'
} as const
export type CelScalar = typeof CelScalar[keyof typeof CelScalar]

/** A group of fields under one root (`ip.*`, `card.*`): field name -> CEL type. */
export type FieldGroup = Readonly<Record<string, CelScalar>>

const S = CelScalar.STRING
const I = CelScalar.INT
const D = CelScalar.DOUBLE
const B = CelScalar.BOOL

export const IP_FIELDS: FieldGroup = {
  address: S,
  version: I,
  is_private: B,
  country: S,
  asn: I,
  as_org: S,
  is_tor: B,
  is_hosting: B,
  is_vpn: B,
  is_proxy: B,
  is_residential_proxy: B,
  is_anonymous: B,
  risk: D,
  connection_type: S
}

export const EMAIL_FIELDS: FieldGroup = { address: S, domain: S, is_disposable: B }

export const CARD_FIELDS: FieldGroup = {
  bin: S,
  last4: S,
  country: S,
  brand: S,
  funding: S,
  fingerprint: S
}

export const ADDRESS_FIELDS: FieldGroup = {
  name: S,
  line1: S,
  line2: S,
  city: S,
  state: S,
  postal_code: S,
  country: S
}

export const ITEM_FIELDS: FieldGroup = {
  sku: S,
  name: S,
  category: S,
  quantity: I,
  unit_price: I
}

export const CUSTOMER_FIELDS: FieldGroup = { id: S }

export const DEVICE_FIELDS: FieldGroup = {
  user_agent: S,
  browser: S,
  os: S,
  is_mobile: B,
  is_bot: B,
  accept_language: S,
  language: S
}

/** Roots whose value is a group of scalar fields, and the CEL message type name of each. */
export const GROUP_ROOTS = {
  ip: { type: 'Ip', fields: IP_FIELDS },
  email: { type: 'Email', fields: EMAIL_FIELDS },
  card: { type: 'Card', fields: CARD_FIELDS },
  billing: { type: 'Address', fields: ADDRESS_FIELDS },
  shipping: { type: 'Address', fields: ADDRESS_FIELDS },
  customer: { type: 'Customer', fields: CUSTOMER_FIELDS },
  device: { type: 'Device', fields: DEVICE_FIELDS }
} as const satisfies Record<string, { type: string, fields: FieldGroup }>
export type GroupRoot = keyof typeof GROUP_ROOTS

/** Top-level scalar roots. */
export const SCALAR_ROOTS: FieldGroup = {
  amount: I,
  currency: S,
  description: S,
  item_count: I,
  billing_shipping_match: B,
  ip_billing_distance_km: I
}

/**
 * Every root variable of the CEL environment. `items` is a list of Item, `metadata` a
 * map<string, dyn>, `velocity` and `lists` have one field per counter / list the rule set declares.
 */
export const ROOTS = [
  ...Object.keys(SCALAR_ROOTS),
  ...Object.keys(GROUP_ROOTS),
  'items',
  'metadata',
  'velocity',
  'lists'
] as const

/** Every scalar feature path (`ip.country`, `amount`, ...) and its CEL type. */
export const SCALAR_PATHS: ReadonlyMap<string, CelScalar> = new Map([
  ...Object.entries(SCALAR_ROOTS),
  ...Object.entries(GROUP_ROOTS).flatMap(([root, group]) =>
    Object.entries(group.fields).map(([field, type]) => [`${root}.${field}`, type] as const))
])

/**
 * Short names accepted in velocity `by:` and `distinct:`, and the canonical path they stand for.
 * Any scalar path of SCALAR_PATHS is accepted as itself.
 */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  ip: 'ip.address',
  email: 'email.address',
  customer: 'customer.id',
  card: 'card.fingerprint'
}
