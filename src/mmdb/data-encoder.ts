import { isTypedValue, MMDB_TYPE, TypedKind } from './data-types.js'
import type { MmdbValue, TypedValue } from './data-types.js'
import { valueKey } from './value-key.js'

/** MMDB data field type numbers (MaxMind DB spec, "Output Data Section"). */
export const FieldType = {
  POINTER: 1,
  UTF8_STRING: 2,
  DOUBLE: 3,
  BYTES: 4,
  UINT16: 5,
  UINT32: 6,
  MAP: 7,
  INT32: 8,
  UINT64: 9,
  UINT128: 10,
  ARRAY: 11,
  BOOLEAN: 14,
  FLOAT: 15
} as const
export type FieldTypeCode = typeof FieldType[keyof typeof FieldType]

const POINTER_BASE_1 = 2048
const POINTER_BASE_2 = 526336
const MAX_SIZE = 65821 + 0xffffff

/** Bytes a pointer to `offset` takes. */
export function pointerSize (offset: number): number {
  if (offset < POINTER_BASE_1) return 2
  if (offset < POINTER_BASE_2) return 3
  if (offset < POINTER_BASE_2 + 0x8000000) return 4
  return 5
}

function controlSize (size: number): number {
  if (size < 29) return 1
  if (size < 285) return 2
  if (size < 65821) return 3
  return 4
}

function isPlainMap (value: object): value is { readonly [key: string]: MmdbValue | undefined } {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Appends MMDB-encoded values to a growing buffer. With `dedupe`, a value (string, map, array) that
 * was written before is not written again: a pointer to the first copy is emitted instead, when
 * the pointer is shorter. Offsets are relative to the start of this encoder's output, which is
 * what MMDB pointers in the data section are relative to.
 */
export class DataEncoder {
  private buffer: Buffer
  private length = 0
  private readonly dedupe: boolean
  private readonly strings = new Map<string, number>()
  private readonly containers = new Map<string, number>()

  constructor (options: { dedupe: boolean, initialSize?: number } = { dedupe: true }) {
    this.dedupe = options.dedupe
    this.buffer = Buffer.allocUnsafe(options.initialSize ?? 64 * 1024)
  }

  get size (): number {
    return this.length
  }

  /** The encoded bytes (a view on the internal buffer until the next write). */
  bytes (): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  /**
   * Writes a top-level value and returns the offset where its encoding starts. An identical value
   * written before (same canonical key) returns the earlier offset and writes nothing.
   */
  write (value: MmdbValue, key?: string): number {
    if (this.dedupe && typeof value === 'object' && !isTypedValue(value) && !(value instanceof Uint8Array)) {
      const k = key ?? valueKey(value)
      const seen = this.containers.get(k)
      if (seen !== undefined) return seen
      const offset = this.length
      this.encode(value, k)
      return offset
    }
    if (this.dedupe && typeof value === 'string') {
      const seen = this.strings.get(value)
      if (seen !== undefined) return seen
    }
    const offset = this.length
    this.encode(value)
    return offset
  }

  private ensure (extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < needed) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buffer.copy(next, 0, 0, this.length)
    this.buffer = next
  }

  private byte (b: number): void {
    this.buffer[this.length++] = b
  }

  private control (type: FieldTypeCode, size: number): void {
    if (size > MAX_SIZE) throw new RangeError(`MMDB field too large: ${size} bytes or entries`)
    this.ensure(5)
    const typeBits = type <= 7 ? type << 5 : 0
    let sizeBits: number
    let extra = -1
    let extraBytes = 0
    if (size < 29) {
      sizeBits = size
    } else if (size < 285) {
      sizeBits = 29
      extra = size - 29
      extraBytes = 1
    } else if (size < 65821) {
      sizeBits = 30
      extra = size - 285
      extraBytes = 2
    } else {
      sizeBits = 31
      extra = size - 65821
      extraBytes = 3
    }
    this.byte(typeBits | sizeBits)
    if (type > 7) this.byte(type - 7)
    for (let i = extraBytes - 1; i >= 0; i--) this.byte((extra >>> (8 * i)) & 0xff)
  }

  private pointer (offset: number): void {
    this.ensure(5)
    if (offset < POINTER_BASE_1) {
      this.byte(0x20 | (offset >>> 8))
      this.byte(offset & 0xff)
    } else if (offset < POINTER_BASE_2) {
      const v = offset - POINTER_BASE_1
      this.byte(0x20 | (1 << 3) | (v >>> 16))
      this.byte((v >>> 8) & 0xff)
      this.byte(v & 0xff)
    } else if (offset < POINTER_BASE_2 + 0x8000000) {
      const v = offset - POINTER_BASE_2
      this.byte(0x20 | (2 << 3) | (v >>> 24))
      this.byte((v >>> 16) & 0xff)
      this.byte((v >>> 8) & 0xff)
      this.byte(v & 0xff)
    } else {
      this.byte(0x20 | (3 << 3))
      this.buffer.writeUInt32BE(offset, this.length)
      this.length += 4
    }
  }

  private string (value: string): void {
    if (this.dedupe) {
      const seen = this.strings.get(value)
      if (seen !== undefined) {
        const byteLength = Buffer.byteLength(value)
        if (pointerSize(seen) < controlSize(byteLength) + byteLength) {
          this.pointer(seen)
          return
        }
      }
    }
    const offset = this.length
    const byteLength = Buffer.byteLength(value)
    this.control(FieldType.UTF8_STRING, byteLength)
    this.ensure(byteLength)
    this.buffer.write(value, this.length, byteLength, 'utf8')
    this.length += byteLength
    if (this.dedupe && !this.strings.has(value)) this.strings.set(value, offset)
  }

  private unsigned (type: FieldTypeCode, value: bigint | number, maxBytes: number): void {
    let big = typeof value === 'bigint' ? value : BigInt(value)
    const bytes: number[] = []
    while (big > 0n) {
      bytes.unshift(Number(big & 0xffn))
      big >>= 8n
    }
    if (bytes.length > maxBytes) throw new RangeError(`value does not fit in ${maxBytes} bytes`)
    this.control(type, bytes.length)
    this.ensure(bytes.length)
    for (const b of bytes) this.byte(b)
  }

  private uint32 (type: FieldTypeCode, value: number): void {
    // fast path of unsigned() for values that fit a JS number exactly
    let size = 0
    if (value > 0xffffff) size = 4
    else if (value > 0xffff) size = 3
    else if (value > 0xff) size = 2
    else if (value > 0) size = 1
    this.control(type, size)
    this.ensure(size)
    for (let i = size - 1; i >= 0; i--) this.byte(Math.floor(value / 2 ** (8 * i)) & 0xff)
  }

  private int32 (value: number): void {
    if (value >= 0) {
      this.uint32(FieldType.INT32, value)
      return
    }
    this.control(FieldType.INT32, 4)
    this.ensure(4)
    this.buffer.writeInt32BE(value, this.length)
    this.length += 4
  }

  private double (value: number): void {
    this.control(FieldType.DOUBLE, 8)
    this.ensure(8)
    this.buffer.writeDoubleBE(value, this.length)
    this.length += 8
  }

  private float (value: number): void {
    this.control(FieldType.FLOAT, 4)
    this.ensure(4)
    this.buffer.writeFloatBE(value, this.length)
    this.length += 4
  }

  private typed (value: TypedValue): void {
    const v = value.value
    switch (value[MMDB_TYPE]) {
      case TypedKind.UINT16: this.uint32(FieldType.UINT16, Number(v)); return
      case TypedKind.UINT32: this.uint32(FieldType.UINT32, Number(v)); return
      case TypedKind.UINT64: this.unsigned(FieldType.UINT64, v, 8); return
      case TypedKind.UINT128: this.unsigned(FieldType.UINT128, v, 16); return
      case TypedKind.INT32: this.int32(Number(v)); return
      case TypedKind.DOUBLE: this.double(Number(v)); return
      case TypedKind.FLOAT: this.float(Number(v))
    }
  }

  private number (value: number): void {
    if (Number.isInteger(value) && !Object.is(value, -0)) {
      if (value >= 0 && value <= 0xffffffff) {
        this.uint32(FieldType.UINT32, value)
        return
      }
      if (value < 0 && value >= -0x80000000) {
        this.int32(value)
        return
      }
    }
    this.double(value)
  }

  private encode (value: MmdbValue, key?: string): void {
    switch (typeof value) {
      case 'string': this.string(value); return
      case 'number': this.number(value); return
      case 'boolean': this.control(FieldType.BOOLEAN, value ? 1 : 0); return
      case 'bigint':
        if (value < 0n) throw new RangeError('negative bigint cannot be stored (MMDB has no signed 64/128-bit type)')
        if (value < (1n << 64n)) this.unsigned(FieldType.UINT64, value, 8)
        else this.unsigned(FieldType.UINT128, value, 16)
        return
      case 'object':
        break
      default:
        throw new TypeError(`cannot store a ${typeof value} in an MMDB`)
    }
    if (value === null) throw new TypeError('cannot store null in an MMDB')
    if (isTypedValue(value)) {
      this.typed(value)
      return
    }
    if (value instanceof Uint8Array) {
      this.control(FieldType.BYTES, value.length)
      this.ensure(value.length)
      this.buffer.set(value, this.length)
      this.length += value.length
      return
    }
    if (this.dedupe) {
      const k = key ?? valueKey(value)
      const seen = this.containers.get(k)
      if (seen !== undefined) {
        this.pointer(seen)
        return
      }
      this.containers.set(k, this.length)
    }
    if (Array.isArray(value)) {
      const items = value as readonly MmdbValue[]
      this.control(FieldType.ARRAY, items.length)
      for (const item of items) this.encode(item)
      return
    }
    if (!isPlainMap(value)) throw new TypeError('only plain objects can be stored as MMDB maps')
    const entries = Object.entries(value).filter((entry): entry is [string, MmdbValue] => entry[1] !== undefined)
    this.control(FieldType.MAP, entries.length)
    for (const [k, v] of entries) {
      this.string(k)
      this.encode(v)
    }
  }
}
