import { Environment } from '@marcbachmann/cel-js'
import { CelScalar, GROUP_ROOTS, ITEM_FIELDS, SCALAR_ROOTS } from './feature-catalog.js'
import type { FieldGroup } from './feature-catalog.js'

/**
 * CEL message values. cel-js recognises a message by its constructor, so each group of fields has
 * its own class; the engine fills instances from the Features (src/engine/cel-context.ts).
 */
export class CelMessage {
  [field: string]: unknown
}
export class CelIp extends CelMessage {}
export class CelEmail extends CelMessage {}
export class CelCard extends CelMessage {}
export class CelAddress extends CelMessage {}
export class CelCustomer extends CelMessage {}
export class CelItem extends CelMessage {}
export class CelVelocity extends CelMessage {}
export class CelLists extends CelMessage {}

export const MESSAGE_CLASSES: Readonly<Record<string, typeof CelMessage>> = {
  Ip: CelIp,
  Email: CelEmail,
  Card: CelCard,
  Address: CelAddress,
  Customer: CelCustomer,
  Item: CelItem
}

/**
 * Functions riskgate adds to standard CEL (documented in rules/README.md). The standard library of
 * cel-js stays available: `matches` (JavaScript regular expressions), `contains`, `startsWith`,
 * `endsWith`, `lowerAscii`, `upperAscii`, `trim`, `split`, `size`, `exists`, `all`, `filter`, `map`,
 * `cel.bind`, `has`, `int`, `double`, `string`.
 */
function registerFunctions (env: Environment): void {
  env.registerFunction('string.containsAny(list<string>): bool', (text: string, needles: Iterable<string>) => {
    for (const needle of needles) if (text.includes(needle)) return true
    return false
  }, { description: 'true when the string contains any of the given substrings (case-sensitive)' })
}

function fieldTypes (fields: FieldGroup): Record<string, string> {
  return { ...fields }
}

/**
 * The type-checking CEL environment of one rule set: the Features (DESIGN.md "Signals available to
 * rules") plus `velocity.<counter>` (int) and `lists.<name>` (a set of strings: a map<string, bool>
 * whose keys are the values, because cel-js answers `in` on a map in O(1) but scans a list) for
 * exactly the counters and lists the rule set declares, so reading anything else fails to compile.
 */
export function createCelEnvironment (velocityNames: readonly string[], listNames: readonly string[]): Environment {
  const env = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: true })
  const registered = new Set<string>()
  for (const { type, fields } of Object.values(GROUP_ROOTS)) {
    if (registered.has(type)) continue
    registered.add(type)
    env.registerType(type, { ctor: MESSAGE_CLASSES[type] as typeof CelMessage, fields: fieldTypes(fields) })
  }
  env.registerType('Item', { ctor: CelItem, fields: fieldTypes(ITEM_FIELDS) })
  env.registerType('Velocity', {
    ctor: CelVelocity,
    fields: Object.fromEntries(velocityNames.map((name) => [name, CelScalar.INT]))
  })
  env.registerType('Lists', {
    ctor: CelLists,
    fields: Object.fromEntries(listNames.map((name) => [name, 'map<string, bool>']))
  })

  for (const [name, type] of Object.entries(SCALAR_ROOTS)) env.registerVariable(name, type)
  for (const [name, { type }] of Object.entries(GROUP_ROOTS)) env.registerVariable(name, type)
  env.registerVariable('items', 'list<Item>')
  env.registerVariable('metadata', 'map<string, dyn>')
  env.registerVariable('velocity', 'Velocity')
  env.registerVariable('lists', 'Lists')
  registerFunctions(env)
  return env
}
