/**
 * What compiled conditions call at run time (the `$` of the generated code). Every function
 * reproduces the value cel-js computes for well-typed inputs. Whenever cel-js would raise an error
 * (a value of the wrong type, a missing field, an overflow, a division by zero...), these throw
 * FALLBACK instead: the engine then asks the interpreter, which gives the exact CEL answer,
 * including the error semantics of `&&`, `||` and the quantifier macros.
 */

/** Thrown by compiled code where the interpreter must decide; preallocated (no stack capture). */
export const FALLBACK: Error = Object.freeze(new Error('compiled condition: the interpreter decides this case')) as Error

const MAX_INT = 9223372036854775807n
const MIN_INT = -9223372036854775808n

function fail (): never {
  throw FALLBACK
}

/**
 * Reads of the Features, converted as the CEL context holds them (src/engine/cel-context.ts): an
 * int field holds a BigInt (an integral number is converted), null is absent; anything else, or
 * an absent value where one is required, is a case for the interpreter.
 */
function int (value: unknown): bigint {
  if (typeof value === 'bigint') return value
  return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : fail()
}
function dbl (value: unknown): number {
  return typeof value === 'number' ? value : fail()
}
function str (value: unknown): string {
  return typeof value === 'string' ? value : fail()
}
function bool (value: unknown): boolean {
  return typeof value === 'boolean' ? value : fail()
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null) as Record<string, unknown>)

/** a group of fields (ip, card...; an item): the object, or an empty one (all its fields absent) */
function rec (value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' ? value as Record<string, unknown> : EMPTY
}

/** the items: a list (anything else is the interpreter's case) */
function items (value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : fail()
}

/** has(x.f): absent or null -> false; present with the declared type -> true */
function hasInt (value: unknown): boolean {
  if (value === undefined || value === null) return false
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value)) || fail()
}
function hasDbl (value: unknown): boolean {
  return value === undefined || value === null ? false : typeof value === 'number' || fail()
}
function hasStr (value: unknown): boolean {
  return value === undefined || value === null ? false : typeof value === 'string' || fail()
}
function hasBool (value: unknown): boolean {
  return value === undefined || value === null ? false : typeof value === 'boolean' || fail()
}

function checkedInt (value: bigint): bigint {
  return value <= MAX_INT && value >= MIN_INT ? value : fail()
}
function addInt (a: bigint, b: bigint): bigint {
  return checkedInt(a + b)
}
function subInt (a: bigint, b: bigint): bigint {
  return checkedInt(a - b)
}
function mulInt (a: bigint, b: bigint): bigint {
  return checkedInt(a * b)
}
function divInt (a: bigint, b: bigint): bigint {
  return b === 0n ? fail() : a / b
}
function modInt (a: bigint, b: bigint): bigint {
  return b === 0n ? fail() : a % b
}

/** int(double): truncates; not finite is an error. */
function doubleToInt (value: number): bigint {
  return Number.isFinite(value) ? BigInt(Math.trunc(value)) : fail()
}

function intToDouble (value: bigint): number {
  return Number(value)
}
/** string(int), string(bool) */
function toText (value: bigint | boolean): string {
  return `${value}`
}
function doubleToText (value: number): string {
  return value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : `${value}`
}

/** size() of a string counts code points, as cel-js does. */
function sizeOfString (value: string): bigint {
  let n = 0
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for (const _ of value) n++
  return BigInt(n)
}
function sizeOfList (value: readonly unknown[] | ReadonlySet<unknown>): bigint {
  return BigInt(Array.isArray(value) ? value.length : (value as ReadonlySet<unknown>).size)
}
function sizeOfMap (value: object): bigint {
  return BigInt(value instanceof Map ? value.size : Object.keys(value).length)
}

/** `x in list` for scalar elements: strict equality, as cel-js compares two values of one type. */
function inList (value: unknown, values: readonly unknown[] | ReadonlySet<unknown>): boolean {
  for (const v of values) if (v === value) return true
  return false
}

/** `k in map` (a list of the rule set is a Map of value -> true). */
function inMap (key: unknown, value: unknown): boolean {
  if (value instanceof Map) return value.get(key) !== undefined
  const record = value as Record<string, unknown>
  return typeof key === 'string' && Object.hasOwn(record, key) ? record[key] !== undefined : false
}

/** `"x" in set` where the set was built at compile from literal elements (no NaN among them). */
function inSet (value: unknown, set: ReadonlySet<unknown>): boolean {
  return set.has(value)
}

/** riskgate's string.containsAny(list<string>) (src/engine/cel-environment.ts). */
function containsAny (text: string, needles: Iterable<string>): boolean {
  for (const needle of needles) if (text.includes(needle)) return true
  return false
}

/** The elements a comprehension ranges over: a list's values or a map's keys. */
function range (value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value
  if (value instanceof Set) return [...(value as Set<unknown>)]
  if (value instanceof Map) return [...(value as Map<unknown, unknown>).keys()]
  if (value !== null && typeof value === 'object') return Object.keys(value)
  return fail()
}

type Check = (value: unknown) => unknown
type Predicate = (value: unknown) => boolean

function exists (items: unknown, check: Check, predicate: Predicate): boolean {
  const values = range(items)
  for (let i = 0; i < values.length; i++) if (predicate(check(values[i]))) return true
  return false
}
function all (items: unknown, check: Check, predicate: Predicate): boolean {
  const values = range(items)
  for (let i = 0; i < values.length; i++) if (!predicate(check(values[i]))) return false
  return true
}
function existsOne (items: unknown, check: Check, predicate: Predicate): boolean {
  const values = range(items)
  let n = 0
  for (let i = 0; i < values.length; i++) if (predicate(check(values[i]))) n++
  return n === 1
}
function filter (items: unknown, check: Check, predicate: Predicate): unknown[] {
  const values = range(items)
  const out: unknown[] = []
  for (let i = 0; i < values.length; i++) {
    const value = check(values[i])
    if (predicate(value)) out.push(value)
  }
  return out
}
function mapList (items: unknown, check: Check, transform: Check, predicate?: Predicate): unknown[] {
  const values = range(items)
  const out: unknown[] = []
  for (let i = 0; i < values.length; i++) {
    const value = check(values[i])
    if (predicate === undefined || predicate(value)) out.push(transform(value))
  }
  return out
}

export const runtime = {
  fail,
  int,
  dbl,
  str,
  bool,
  rec,
  items,
  hasInt,
  hasDbl,
  hasStr,
  hasBool,
  addInt,
  subInt,
  mulInt,
  divInt,
  modInt,
  doubleToInt,
  intToDouble,
  toText,
  doubleToText,
  sizeOfString,
  sizeOfList,
  sizeOfMap,
  inList,
  inMap,
  inSet,
  containsAny,
  exists,
  all,
  existsOne,
  filter,
  mapList
} as const

export type Runtime = typeof runtime
