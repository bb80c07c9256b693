import type { ASTNode, Environment } from '@marcbachmann/cel-js'
import { CelScalar, GROUP_ROOTS, ITEM_FIELDS, KEY_ALIASES, ROOTS, SCALAR_PATHS } from './feature-catalog.js'
import { closestNames } from './suggest.js'

/**
 * What a condition may have meant by a name the CEL environment does not know: a feature path of
 * the catalog (src/engine/feature-catalog.ts), a field of a group, a declared counter or list, a
 * function. Each answer is a list of names to offer ("did you mean ...?"), empty when none is close.
 */

/** field paths (`ip.country`) by their last segment, lower case (`country` -> ip, card, billing, shipping) */
const PATHS_BY_FIELD = new Map<string, string[]>()
for (const path of SCALAR_PATHS.keys()) {
  const dot = path.lastIndexOf('.')
  if (dot < 0) continue
  const field = path.slice(dot + 1).toLowerCase()
  PATHS_BY_FIELD.set(field, [...(PATHS_BY_FIELD.get(field) ?? []), path])
}

/** the fields of each CEL message type of the catalog (Ip, Card, Address, Item...) */
const FIELDS_BY_TYPE = new Map<string, readonly string[]>([
  ...Object.values(GROUP_ROOTS).map(({ type, fields }) => [type, Object.keys(fields)] as const),
  ['Item', Object.keys(ITEM_FIELDS)]
])

/**
 * A bare name that is no variable: the paths whose field it is (`country` -> ip.country,
 * card.country...), else the closest roots (`amout` -> amount), else the paths whose field is
 * closest (`is_torr` -> ip.is_tor).
 */
export function suggestVariable (name: string): string[] {
  const exact = PATHS_BY_FIELD.get(name.toLowerCase())
  if (exact !== undefined) return exact
  const roots = closestNames(name, ROOTS)
  if (roots.length > 0) return roots
  return closestNames(name.toLowerCase(), PATHS_BY_FIELD.keys()).flatMap((field) => PATHS_BY_FIELD.get(field) ?? [])
}

/** `ip`, `ip.country`, `i`: the source text of a chain of field selections, when the node is one */
function pathText (node: ASTNode): string | undefined {
  if (node.op === 'id') return node.args
  if (node.op === '.') {
    const object = pathText(node.args[0])
    return object === undefined ? undefined : `${object}.${node.args[1]}`
  }
  return undefined
}

/** the checked type name of a node (`Ip`, `Item`...), as cel-js annotates it while checking */
function checkedTypeName (node: ASTNode): string | undefined {
  const type = (node as { checkedType?: { name?: unknown } }).checkedType
  return typeof type?.name === 'string' ? type.name : undefined
}

/**
 * A field a group does not have (`ip.countyr`, `i.categroy` in `items.exists(i, ...)`): the
 * closest fields of the receiver's type, written after the receiver (`ip.country`). `node` is the
 * selection cel-js reported (`.` or `[]`).
 */
export function suggestField (node: ASTNode | undefined, field: string): string[] {
  if (node === undefined || (node.op !== '.' && node.op !== '[]')) return []
  const receiver = node.args[0] as ASTNode
  const fields = FIELDS_BY_TYPE.get(checkedTypeName(receiver) ?? '')
  if (fields === undefined) return []
  const prefix = pathText(receiver)
  return closestNames(field, fields).map((f) => (prefix === undefined ? f : `${prefix}.${f}`))
}

/** the names a velocity counter may count by or count distinct values of: string and integer paths, and their short names */
const KEY_PATHS: readonly string[] = [
  ...Object.keys(KEY_ALIASES),
  ...[...SCALAR_PATHS].filter(([, type]) => type === CelScalar.STRING || type === CelScalar.INT).map(([path]) => path)
]

/** A velocity key that is no feature path (`by: ip.adress`, `distinct: fingerprint`): the closest ones. */
export function suggestKeyPath (text: string): string[] {
  const byField = (PATHS_BY_FIELD.get(text.toLowerCase()) ?? []).filter((path) => KEY_PATHS.includes(path))
  return byField.length > 0 ? byField : closestNames(text, KEY_PATHS)
}

/** A counter or list name that is not declared: the closest declared ones, as `velocity.<name>` / `lists.<name>`. */
export function suggestDeclared (root: 'velocity' | 'lists', name: string, declared: Iterable<string>): string[] {
  return closestNames(name, declared).map((n) => `${root}.${n}`)
}

/** names other languages give CEL's functions */
const FUNCTION_ALIASES: Readonly<Record<string, string>> = {
  lower: 'lowerAscii',
  lowercase: 'lowerAscii',
  tolowercase: 'lowerAscii',
  tolower: 'lowerAscii',
  upper: 'upperAscii',
  uppercase: 'upperAscii',
  touppercase: 'upperAscii',
  toupper: 'upperAscii',
  len: 'size',
  length: 'size',
  count: 'size',
  includes: 'contains',
  strip: 'trim',
  match: 'matches',
  regex: 'matches',
  test: 'matches',
  like: 'matches',
  any: 'exists',
  some: 'exists',
  every: 'all'
}

const functionNames = new WeakMap<Environment, ReadonlySet<string>>()

function namesOf (env: Environment): ReadonlySet<string> {
  let names = functionNames.get(env)
  if (names === undefined) {
    // riskgate's RE2 `matches` is registered under a name no source can spell (a leading digit)
    names = new Set(env.getDefinitions().functions.map((f) => f.name).filter((name) => /^[A-Za-z_]/.test(name)))
    functionNames.set(env, names)
  }
  return names
}

/**
 * A function the environment does not have at all (`lowercase()`, `length()`): what CEL calls it.
 * None for a known function called with the wrong arguments (its error says so already).
 */
export function suggestFunction (env: Environment, name: string): string[] {
  const known = namesOf(env)
  if (known.has(name)) return []
  const alias = FUNCTION_ALIASES[name.toLowerCase()]
  if (alias !== undefined && known.has(alias)) return [alias]
  return closestNames(name, known)
}
