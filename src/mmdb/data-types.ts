/**
 * Values the MMDB writer stores in its data section.
 *
 * Plain JavaScript values map to MMDB types as follows:
 * - string -> utf8_string, boolean -> boolean, Uint8Array -> bytes
 * - number: an integer 0..2^32-1 -> uint32, a negative integer >= -2^31 -> int32, anything else -> double
 * - bigint 0..2^64-1 -> uint64, up to 2^128-1 -> uint128
 * - array -> array, plain object -> map (properties whose value is undefined are left out)
 * To choose another type (uint16, a double that happens to be an integer, float...) wrap the value
 * with one of the constructors below, e.g. `{ ip_risk: double(90) }`.
 */

export const MMDB_TYPE: unique symbol = Symbol('mmdb.type')

export const TypedKind = {
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  UINT128: 'uint128',
  INT32: 'int32',
  DOUBLE: 'double',
  FLOAT: 'float'
} as const
export type TypedKindName = typeof TypedKind[keyof typeof TypedKind]

export interface TypedValue {
  readonly [MMDB_TYPE]: TypedKindName
  readonly value: number | bigint
}

export type MmdbValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | TypedValue
  | readonly MmdbValue[]
  | { readonly [key: string]: MmdbValue | undefined }

function typed (kind: TypedKindName, value: number | bigint): TypedValue {
  return Object.freeze({ [MMDB_TYPE]: kind, value })
}

function checkInteger (kind: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${kind} must be an integer in ${min}..${max}, got ${value}`)
  }
}

function checkBig (kind: string, value: bigint, bits: number): void {
  if (value < 0n || value >= (1n << BigInt(bits))) throw new RangeError(`${kind} must be in 0..2^${bits}-1, got ${value}`)
}

export function uint16 (value: number): TypedValue {
  checkInteger('uint16', value, 0, 0xffff)
  return typed(TypedKind.UINT16, value)
}

export function uint32 (value: number): TypedValue {
  checkInteger('uint32', value, 0, 0xffffffff)
  return typed(TypedKind.UINT32, value)
}

export function uint64 (value: number | bigint): TypedValue {
  const big = typeof value === 'bigint' ? value : BigInt(checkSafe('uint64', value))
  checkBig('uint64', big, 64)
  return typed(TypedKind.UINT64, big)
}

export function uint128 (value: number | bigint): TypedValue {
  const big = typeof value === 'bigint' ? value : BigInt(checkSafe('uint128', value))
  checkBig('uint128', big, 128)
  return typed(TypedKind.UINT128, big)
}

export function int32 (value: number): TypedValue {
  checkInteger('int32', value, -0x80000000, 0x7fffffff)
  return typed(TypedKind.INT32, value)
}

export function double (value: number): TypedValue {
  if (typeof value !== 'number') throw new TypeError('double must be a number')
  return typed(TypedKind.DOUBLE, value)
}

export function float (value: number): TypedValue {
  if (typeof value !== 'number') throw new TypeError('float must be a number')
  return typed(TypedKind.FLOAT, value)
}

function checkSafe (kind: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${kind} given as a number must be a safe integer, got ${value}`)
  return value
}

export function isTypedValue (value: unknown): value is TypedValue {
  return typeof value === 'object' && value !== null && MMDB_TYPE in value
}
