import { isTypedValue, MMDB_TYPE } from './data-types.js'
import type { MmdbValue } from './data-types.js'

/**
 * A canonical text key of a value, equal for two values exactly when they encode to the same MMDB
 * data (same types, same contents; map key order ignored). Used to store identical records once.
 * Every token is self-delimiting (strings are length-prefixed), so keys cannot collide.
 */
export function valueKey (value: MmdbValue): string {
  switch (typeof value) {
    case 'string': return `s${value.length}:${value}`
    case 'boolean': return value ? 'T' : 'F'
    case 'number': return numberKey(value)
    case 'bigint': return value < (1n << 64n) ? `U${value}` : `W${value}`
    default: break
  }
  if (isTypedValue(value)) return `${value[MMDB_TYPE]}:${typedNumber(value.value)}`
  if (value instanceof Uint8Array) return `x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')};`
  if (Array.isArray(value)) {
    let out = '['
    for (const item of value as readonly MmdbValue[]) out += valueKey(item) + ','
    return out + ']'
  }
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) throw new TypeError('only plain objects can be stored as MMDB maps')
  const map = value as { readonly [key: string]: MmdbValue | undefined }
  const keys = Object.keys(map).sort()
  let out = '{'
  for (const k of keys) {
    const v = map[k]
    if (v === undefined) continue
    out += `${k.length}:${k}=${valueKey(v)};`
  }
  return out + '}'
}

function numberKey (value: number): string {
  if (Number.isInteger(value) && !Object.is(value, -0)) {
    if (value >= 0 && value <= 0xffffffff) return `u${value}`
    if (value < 0 && value >= -0x80000000) return `i${value}`
  }
  return `d${typedNumber(value)}`
}

function typedNumber (value: number | bigint): string {
  return Object.is(value, -0) ? '-0' : String(value)
}
