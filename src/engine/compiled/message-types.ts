import { CelScalar, GROUP_ROOTS, ITEM_FIELDS, SCALAR_ROOTS } from '../feature-catalog.js'
import { SNAKE_CASE } from '../identifiers.js'

/** The CEL type of a message field the compiler can read. */
export type FieldType = CelScalar

export interface MessageType {
  readonly fields: ReadonlyMap<string, FieldType>
}

/**
 * The whitelist of names compiled code may contain, from the feature catalog: the scalar and group
 * roots, and per message type its fields (the catalog's groups and items, and the counters the
 * rule set declares). The rule set's lists are values the compiled code holds as constants. A name
 * outside the whitelist is never emitted: the condition is interpreted instead.
 */
export interface NameWhitelist {
  /** scalar roots (`amount`, `currency`...) and their types */
  readonly scalars: ReadonlyMap<string, FieldType>
  /** group roots (`ip`, `card`..., `velocity`) and their message type */
  readonly groups: ReadonlyMap<string, string>
  readonly messages: ReadonlyMap<string, MessageType>
  /** each declared list as the CEL context holds it: value -> true */
  readonly lists: ReadonlyMap<string, ReadonlyMap<string, true>>
}

function fieldsOf (entries: Iterable<readonly [string, FieldType]>): ReadonlyMap<string, FieldType> {
  const out = new Map<string, FieldType>()
  for (const [name, type] of entries) if (SNAKE_CASE.test(name)) out.set(name, type)
  return out
}

export function createNameWhitelist (velocityNames: Iterable<string>, lists: ReadonlyMap<string, ReadonlySet<string>>): NameWhitelist {
  const messages = new Map<string, MessageType>()
  const groups = new Map<string, string>()
  for (const [root, { type, fields }] of Object.entries(GROUP_ROOTS)) {
    messages.set(type, { fields: fieldsOf(Object.entries(fields)) })
    groups.set(root, type)
  }
  messages.set('Item', { fields: fieldsOf(Object.entries(ITEM_FIELDS)) })
  messages.set('Velocity', { fields: fieldsOf([...velocityNames].map((name) => [name, CelScalar.INT] as const)) })
  groups.set('velocity', 'Velocity')
  const listValues = new Map<string, ReadonlyMap<string, true>>()
  for (const [name, values] of lists) if (SNAKE_CASE.test(name)) listValues.set(name, new Map([...values].map((v) => [v, true] as const)))
  return { scalars: fieldsOf(Object.entries(SCALAR_ROOTS)), groups, messages, lists: listValues }
}

/** Every name the whitelist holds (roots and fields of every message type), as property names. */
export function whitelistedNames (names: NameWhitelist): ReadonlySet<string> {
  const out = new Set<string>(['items', 'metadata'])
  for (const name of names.scalars.keys()) out.add(name)
  for (const name of names.groups.keys()) out.add(name)
  for (const message of names.messages.values()) for (const field of message.fields.keys()) out.add(field)
  return out
}
