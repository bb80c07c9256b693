/**
 * What compiled conditions call at run time (the `$` of the generated code). Every function
 * reproduces the value cel-js computes for well-typed inputs. Whenever cel-js would raise an error
 * (a value of the wrong type, a missing field, an overflow, a division by zero...), these throw
 * FALLBACK instead: the engine then asks the interpreter, which gives the exact CEL answer,
 * including the error semantics of `&&`, `||` and the quantifier macros.
 *
 * CEL ints: cel-js holds them as BigInt. Compiled code holds an int as a JavaScript number when it
 * is a safe integer (|n| <= 2^53 - 1, exact) and as a BigInt only outside that range, always so
 * (the canonical form, see CelInt): two ints are equal exactly when `===` says so, `<` and the
 * other comparisons are exact between any two ints and between an int and a double, and
 * arithmetic runs on numbers while the exact result stays safe, on BigInt (with CEL's 64-bit
 * overflow check) otherwise. A number int may be -0, the same int as 0: it is observable only as
 * a double, and intToDouble() gives +0.
 */
/** Thrown by compiled code where the interpreter must decide; preallocated (no stack capture). */
export const FALLBACK: Error = Object.freeze(new Error('compiled condition: the interpreter decides this case')) as Error

const MAX_INT = 9223372036854775807n
const MIN_INT = -9223372036854775808n
const MAX_SAFE = Number.MAX_SAFE_INTEGER
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

/** a CEL int: a safe integer as a number, any other integer as a BigInt (never a safe one) */
export type CelInt = number | bigint

function fail (): never {
  throw FALLBACK
}

/** the canonical form of an integer held as a BigInt: a number when it is safe */
function fromBig (value: bigint): CelInt {
  return value <= MAX_SAFE_BIG && value >= -MAX_SAFE_BIG ? Number(value) : value
}

/** an integer literal or constant, in the canonical form */
export function celInt (value: bigint): CelInt {
  return fromBig(value)
}

/**
 * Reads of the Features, converted as the CEL context holds them (src/engine/cel-context.ts): an
 * int field holds an integer (an integral number; in the canonical form, see CelInt), null is
 * absent; anything else, or an absent value where one is required, is a case for the interpreter.
 */
function int (value: unknown): CelInt {
  if (typeof value === 'number') {
    if (value <= MAX_SAFE && value >= -MAX_SAFE) return Number.isInteger(value) ? value : fail()
    return Number.isInteger(value) ? BigInt(value) : fail()
  }
  return typeof value === 'bigint' ? fromBig(value) : fail()
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

/** a result computed as a BigInt: CEL's 64-bit overflow check, then the canonical form */
function checkedInt (value: bigint): CelInt {
  return value <= MAX_INT && value >= MIN_INT ? fromBig(value) : fail()
}
/*
 * + - *: on two numbers, the rounded result is within the safe range exactly when the exact result
 * is (rounding is monotonic and 2^53 is a double), and then it is exact; otherwise on BigInt.
 */
function addInt (a: CelInt, b: CelInt): CelInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r
  }
  return checkedInt(BigInt(a) + BigInt(b))
}
function subInt (a: CelInt, b: CelInt): CelInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r
  }
  return checkedInt(BigInt(a) - BigInt(b))
}
function mulInt (a: CelInt, b: CelInt): CelInt {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b
    if (r <= MAX_SAFE && r >= -MAX_SAFE) return r
  }
  return checkedInt(BigInt(a) * BigInt(b))
}
/*
 * / and %: as cel-js, an error for a zero divisor and no overflow check. On two safe integers,
 * a / b truncated is exact (a quotient that is not an integer is at least 1/|b| from one, more than
 * its rounding error when |a| < 2^53), and so is a % b (its sign is the dividend's, as BigInt's).
 */
function divInt (a: CelInt, b: CelInt): CelInt {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? fail() : Math.trunc(a / b)
  const d = BigInt(b)
  return d === 0n ? fail() : fromBig(BigInt(a) / d)
}
function modInt (a: CelInt, b: CelInt): CelInt {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? fail() : a % b
  const d = BigInt(b)
  return d === 0n ? fail() : fromBig(BigInt(a) % d)
}

/** int(double): truncates; not finite is an error. */
function doubleToInt (value: number): CelInt {
  if (!Number.isFinite(value)) return fail()
  const n = Math.trunc(value)
  return n <= MAX_SAFE && n >= -MAX_SAFE ? n : BigInt(n)
}

/** double(int); an int -0 is the double +0 */
function intToDouble (value: CelInt): number {
  return typeof value === 'number' ? value + 0 : Number(value)
}
/** string(int), string(bool): a safe integer prints the same digits as a number and as a BigInt */
function toText (value: CelInt | boolean): string {
  return `${value}`
}
function doubleToText (value: number): string {
  return value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : `${value}`
}

/** size() of a string counts code points, as cel-js does. */
function sizeOfString (value: string): CelInt {
  let n = 0
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  for (const _ of value) n++
  return n
}
function sizeOfList (value: readonly unknown[] | ReadonlySet<unknown>): CelInt {
  return Array.isArray(value) ? value.length : (value as ReadonlySet<unknown>).size
}
function sizeOfMap (value: object): CelInt {
  return value instanceof Map ? value.size : Object.keys(value).length
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
  range,
  filter,
  mapList
} as const

export type Runtime = typeof runtime
