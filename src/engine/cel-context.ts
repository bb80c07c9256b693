import { CelItem, CelLists, CelVelocity, MESSAGE_CLASSES } from './cel-environment.js'
import type { CelMessage } from './cel-environment.js'
import { CelScalar, GROUP_ROOTS, ITEM_FIELDS, SCALAR_ROOTS } from './feature-catalog.js'
import type { GroupRoot } from './feature-catalog.js'
import type { Features } from './features.js'

type Source = Record<string, unknown>
type Context = Record<string, unknown>
type Field = readonly [name: string, type: CelScalar]

/**
 * How a rule set turns Features into CEL variables, prepared once at compile: one step per root
 * variable some rule reads, converting only the fields the rules read.
 */
export interface CelContextPlan {
  readonly steps: ReadonlyArray<(source: Source, context: Context) => void>
}

export interface CelContextNeeds {
  /** root variables the rules touch */
  roots: ReadonlySet<string>
  /** every feature path the rules read or test with has() */
  paths: Iterable<string>
  velocityNames: readonly string[]
  lists: ReadonlyMap<string, ReadonlySet<string>>
}

/** The lists as CEL maps (value -> true): cel-js answers `in` on a map in O(1) but scans a list. */
function listsValue (lists: ReadonlyMap<string, ReadonlySet<string>>): CelLists {
  const value = new CelLists()
  for (const [name, set] of lists) value[name] = new Map([...set].map((entry) => [entry, true]))
  return value
}

/** CEL ints are BigInt in cel-js; a value of the wrong JS type is passed as is (it fails the rule, not scoring). */
function toCel (value: unknown, type: CelScalar): unknown {
  return type === CelScalar.INT && typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value
}

function toMessage (Ctor: typeof CelMessage, fields: readonly Field[], source: unknown): CelMessage {
  const out = new Ctor()
  if (source === null || typeof source !== 'object') return out
  const record = source as Source
  for (let i = 0; i < fields.length; i++) {
    const [name, type] = fields[i] as Field
    const value = record[name]
    if (value !== undefined && value !== null) out[name] = toCel(value, type)
  }
  return out
}

/** A Map, so no key (not even `__proto__`) can reach an object prototype. */
function toMetadata (source: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (source === null || typeof source !== 'object') return out
  for (const [key, value] of Object.entries(source as Source)) {
    if (value === undefined || value === null) continue
    out.set(key, typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value)
  }
  return out
}

const ITEM_FIELD_LIST: readonly Field[] = Object.entries(ITEM_FIELDS)

function toItems (source: unknown): unknown {
  if (!Array.isArray(source)) return source
  return source.map((item: unknown) => toMessage(CelItem, ITEM_FIELD_LIST, item))
}

/** The fields of a group root the rules read; all of them when a rule uses the root as a whole. */
function fieldsRead (root: GroupRoot, paths: readonly string[]): Field[] {
  const all = Object.entries(GROUP_ROOTS[root].fields)
  if (paths.includes(root)) return all
  const used = new Set(paths.filter((p) => p.startsWith(`${root}.`)).map((p) => p.split('.')[1]))
  return all.filter(([name]) => used.has(name))
}

function stepFor (root: string, needs: CelContextNeeds, paths: readonly string[]): ((source: Source, context: Context) => void) | undefined {
  if (Object.hasOwn(SCALAR_ROOTS, root)) {
    const type = SCALAR_ROOTS[root] as CelScalar
    return (source, context) => {
      const value = source[root]
      if (value !== undefined && value !== null) context[root] = toCel(value, type)
    }
  }
  if (Object.hasOwn(GROUP_ROOTS, root)) {
    const group = GROUP_ROOTS[root as GroupRoot]
    const Ctor = MESSAGE_CLASSES[group.type] as typeof CelMessage
    const fields = fieldsRead(root as GroupRoot, paths)
    // always present, empty when the charge has none, so `has(card.country)` is simply false
    return (source, context) => { context[root] = toMessage(Ctor, fields, source[root]) }
  }
  switch (root) {
    case 'items':
      return (source, context) => {
        const items = toItems(source.items)
        if (items !== undefined && items !== null) context.items = items
      }
    case 'metadata':
      return (source, context) => { context.metadata = toMetadata(source.metadata) }
    case 'velocity': {
      const fields: Field[] = needs.velocityNames.map((name) => [name, CelScalar.INT])
      return (source, context) => { context.velocity = toMessage(CelVelocity, fields, source.velocity) }
    }
    case 'lists': {
      const lists = listsValue(needs.lists)
      return (_source, context) => { context.lists = lists }
    }
    default:
      return undefined
  }
}

export function createCelContextPlan (needs: CelContextNeeds): CelContextPlan {
  const paths = [...needs.paths]
  const steps = []
  for (const root of needs.roots) {
    const step = stepFor(root, needs, paths)
    if (step !== undefined) steps.push(step)
  }
  return { steps }
}

/**
 * The CEL variables of one charge. Absent scalars stay absent: the engine skips the rules that
 * read them before CEL ever sees them.
 */
export function buildCelContext (plan: CelContextPlan, features: Features): Context {
  const source = features as unknown as Source
  const context: Context = {}
  const steps = plan.steps
  for (let i = 0; i < steps.length; i++) (steps[i] as (source: Source, context: Context) => void)(source, context)
  return context
}
