import type { Node } from 'yaml'
import { CelScalar, KEY_ALIASES, SCALAR_PATHS } from './feature-catalog.js'
import { identifierProblem } from './identifiers.js'
import { suggestKeyPath } from './name-suggestions.js'
import { didYouMean } from './suggest.js'
import { VelocityKind } from './velocity-spec.js'
import type { VelocityCounterSpec } from './velocity-spec.js'
import { checkKeys, entryOf, isMapNode, isScalarNode, isSeqNode, mapEntries } from './yaml-source.js'
import type { YamlSource } from './yaml-source.js'

export const MIN_WINDOW_SECONDS = 60
export const MAX_WINDOW_SECONDS = 90 * 86_400

const UNIT_SECONDS: Readonly<Record<string, number>> = { m: 60, h: 3_600, d: 86_400 }
const WINDOW = /^([1-9][0-9]{0,6})([mhd])$/

/** `30m`, `1h`, `90d` -> seconds; undefined when malformed or outside 1m..90d. */
export function parseWindow (text: string): number | undefined {
  const match = WINDOW.exec(text)
  if (match === null) return undefined
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number)
  return seconds >= MIN_WINDOW_SECONDS && seconds <= MAX_WINDOW_SECONDS ? seconds : undefined
}

/** `ip` -> `ip.address`, `customer` -> `customer.id`; a catalog path stays itself. */
export function canonicalKeyPath (name: string): string | undefined {
  const path = KEY_ALIASES[name] ?? name
  const type = SCALAR_PATHS.get(path)
  return type === CelScalar.STRING || type === CelScalar.INT ? path : undefined
}

const KEYABLE = 'a string or integer feature path such as ip, email, customer.id, card.fingerprint, card.bin, billing.postal_code'

function stringValue (node: Node | null): string | undefined {
  return isScalarNode(node) && typeof node.value === 'string' ? node.value : undefined
}

function compileBy (source: YamlSource, node: Node | null, name: string): string[] | undefined {
  const items: Array<Node | null> = isSeqNode(node) ? node.items as Array<Node | null> : [node]
  if (items.length === 0) {
    source.error(node, `velocity ${name}: "by" needs at least one key`)
    return undefined
  }
  const paths: string[] = []
  for (const item of items) {
    const text = stringValue(item)
    const path = text === undefined ? undefined : canonicalKeyPath(text)
    if (path === undefined) {
      source.error(item ?? node, `velocity ${name}: "by" must name ${KEYABLE}; got ${text === undefined ? 'a non-string' : `"${text}"${didYouMean(suggestKeyPath(text))}`}`)
      return undefined
    }
    if (paths.includes(path)) {
      source.error(item, `velocity ${name}: "by" names ${path} twice`)
      return undefined
    }
    paths.push(path)
  }
  return paths
}

function compileCounter (source: YamlSource, name: string, keyNode: Node, node: Node | null): VelocityCounterSpec | undefined {
  const problem = identifierProblem(name)
  if (problem !== undefined) {
    source.error(keyNode, `velocity counter ${problem}`)
    return undefined
  }
  if (!isMapNode(node)) {
    source.error(node ?? keyNode, `velocity ${name}: expected a map like { count: charges, by: ip, window: 1h }`)
    return undefined
  }
  const entries = mapEntries(source, node)
  checkKeys(source, entries, ['count', 'distinct', 'sum', 'by', 'window'], `velocity ${name}`)
  const kinds = entries.filter((entry) => entry.key === 'count' || entry.key === 'distinct' || entry.key === 'sum')
  const kindEntry = kinds[0]
  if (kindEntry === undefined || kinds.length > 1) {
    source.error(node, `velocity ${name}: give exactly one of count: charges, distinct: <path>, sum: <path>`)
    return undefined
  }
  let ok = true
  const spec: VelocityCounterSpec = { name, kind: VelocityKind.COUNT, by: [], windowSeconds: 0 }
  const kindValue = stringValue(kindEntry.value)
  if (kindEntry.key === 'count') {
    if (kindValue !== 'charges') {
      source.error(kindEntry.value ?? kindEntry.keyNode, `velocity ${name}: count must be "charges"`)
      ok = false
    }
  } else if (kindEntry.key === 'distinct') {
    const path = kindValue === undefined ? undefined : canonicalKeyPath(kindValue)
    if (path === undefined) {
      source.error(kindEntry.value ?? kindEntry.keyNode, `velocity ${name}: distinct must name ${KEYABLE}${kindValue === undefined ? '' : didYouMean(suggestKeyPath(kindValue))}`)
      ok = false
    } else {
      spec.kind = VelocityKind.DISTINCT
      spec.of = path
    }
  } else {
    const path = kindValue
    if (path === undefined || SCALAR_PATHS.get(path) !== CelScalar.INT) {
      source.error(kindEntry.value ?? kindEntry.keyNode, `velocity ${name}: sum must name an integer feature path (amount or item_count)`)
      ok = false
    } else {
      spec.kind = VelocityKind.SUM
      spec.of = path
    }
  }

  const byEntry = entryOf(entries, 'by')
  if (byEntry === undefined) {
    source.error(node, `velocity ${name}: "by" is required (the entity counted: ip, email, [card.bin, ip], ...)`)
    ok = false
  } else {
    const by = compileBy(source, byEntry.value, name)
    if (by === undefined) ok = false
    else spec.by = by
    if (spec.kind === VelocityKind.DISTINCT && spec.of !== undefined && spec.by.includes(spec.of)) {
      source.error(kindEntry.value, `velocity ${name}: counting distinct ${spec.of} by ${spec.of} is always 1`)
      ok = false
    }
  }

  const windowEntry = entryOf(entries, 'window')
  const windowText = windowEntry === undefined ? undefined : stringValue(windowEntry.value)
  const seconds = windowText === undefined ? undefined : parseWindow(windowText)
  if (seconds === undefined) {
    source.error(windowEntry?.value ?? windowEntry?.keyNode ?? node,
      `velocity ${name}: window must be a duration from 1m to 90d in minutes, hours or days (30m, 1h, 24h, 7d)` +
      (windowText === undefined ? '' : `; got "${windowText}"`))
    ok = false
  } else {
    spec.windowSeconds = seconds
  }
  return ok ? spec : undefined
}

export interface CompiledVelocity {
  specs: VelocityCounterSpec[]
  /** every declared counter name, valid or not, so a broken counter does not also break its rules */
  names: string[]
}

/** The `velocity:` section: counter name -> { count | distinct | sum, by, window }. */
export function compileVelocity (source: YamlSource, node: Node | null | undefined): CompiledVelocity {
  const result: CompiledVelocity = { specs: [], names: [] }
  if (node === null || node === undefined) return result
  if (!isMapNode(node)) {
    source.error(node, 'velocity must be a map of counter name -> { count | distinct | sum, by, window }')
    return result
  }
  for (const entry of mapEntries(source, node)) {
    const spec = compileCounter(source, entry.key, entry.keyNode, entry.value)
    if (identifierProblem(entry.key) === undefined) result.names.push(entry.key)
    if (spec !== undefined) result.specs.push(spec)
  }
  return result
}
