import { DataEncoder } from './data-encoder.js'
import { uint16, uint32, uint64 } from './data-types.js'
import type { MmdbValue } from './data-types.js'
import { bytesToBigInt, parseCidr, parseIp, parseIPv4Number } from './ip-address.js'
import type { ParsedCidr } from './ip-address.js'
import { valueKey } from './value-key.js'

/**
 * A MaxMind DB (format 2.0) writer, written from the MaxMind DB File Format Specification.
 *
 * - IPv6 databases (`ipVersion: 6`, the default) keep IPv4 networks at ::a.b.c.d/(96+n), where
 *   MaxMind readers look for them, and alias ::ffff:0:0/96 to that subtree (as MaxMind's own
 *   databases do) so an IPv4-mapped address finds the IPv4 record too. IPv4 databases
 *   (`ipVersion: 4`) refuse IPv6 networks.
 * - Identical data records are stored once: every network with an equal value points at the
 *   same bytes, and repeated strings (map keys, names) and nested maps/arrays become pointers.
 * - Adjacent sibling networks with equal data are merged, so the tree stays minimal.
 * - Inserting a network replaces whatever the tree held for every address inside it (the last
 *   insert wins). Values must not be mutated after they were inserted.
 */

export interface MmdbWriterOptions {
  /** e.g. 'riskgate-ASN'; names starting with "GeoIP" are reserved for MaxMind */
  databaseType: string
  ipVersion?: 4 | 6
  /** bits per search-tree record; default: the smallest that fits */
  recordSize?: 24 | 28 | 32
  /** language code -> text; a plain string is stored as { en: text } */
  description?: string | Record<string, string>
  languages?: string[]
  /** seconds since the epoch, or a Date; default: now */
  buildEpoch?: number | Date
  /** IPv6 databases only: make ::ffff:a.b.c.d find the a.b.c.d record (default true) */
  aliasIPv4Mapped?: boolean
}

export interface MmdbBuildStats {
  nodeCount: number
  recordSize: 24 | 28 | 32
  /** distinct data records referenced by the tree */
  dataRecords: number
  dataSectionBytes: number
  totalBytes: number
}

interface ResolvedOptions {
  databaseType: string
  ipVersion: 4 | 6
  recordSize: 24 | 28 | 32 | undefined
  description: Record<string, string>
  languages: string[]
  buildEpoch: number
  aliasIPv4Mapped: boolean
}

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'ascii')])
const SEPARATOR_BYTES = 16
const IPV4_MAPPED_PREFIX = [0, 0, 0xffff, 0] // ::ffff:0:0/96 as 32-bit words

export class MmdbWriter {
  private readonly options: ResolvedOptions

  /** search tree: two slots per node; 0 = empty, > 0 = child node, < 0 = data record -(id + 1) */
  private kids: Int32Array
  private nodes = 1
  private readonly startBit: number
  private readonly key = new Uint32Array(4)

  private readonly values: MmdbValue[] = []
  private readonly valueKeys: string[] = []
  private readonly idByKey = new Map<string, number>()
  private readonly idByObject = new WeakMap<object, number>()
  private networks = 0

  constructor (options: MmdbWriterOptions) {
    const ipVersion = options.ipVersion ?? 6
    if (ipVersion !== 4 && ipVersion !== 6) throw new RangeError('ipVersion must be 4 or 6')
    if (options.recordSize !== undefined && ![24, 28, 32].includes(options.recordSize)) {
      throw new RangeError('recordSize must be 24, 28 or 32')
    }
    if (typeof options.databaseType !== 'string' || options.databaseType === '') {
      throw new TypeError('databaseType is required')
    }
    const epoch = options.buildEpoch ?? new Date()
    const buildEpoch = epoch instanceof Date ? Math.floor(epoch.getTime() / 1000) : epoch
    if (!Number.isSafeInteger(buildEpoch) || buildEpoch < 0) throw new RangeError('buildEpoch must be a time after 1970')
    const description = typeof options.description === 'string'
      ? { en: options.description }
      : { ...(options.description ?? {}) }
    this.options = {
      databaseType: options.databaseType,
      ipVersion,
      recordSize: options.recordSize,
      description,
      languages: [...(options.languages ?? [])],
      buildEpoch,
      aliasIPv4Mapped: options.aliasIPv4Mapped ?? true
    }
    this.startBit = ipVersion === 6 ? 0 : 96
    this.kids = new Int32Array(1024)
  }

  /** Number of CIDR networks inserted so far (a range counts as its CIDR blocks). */
  get networkCount (): number {
    return this.networks
  }

  /** Inserts a network in CIDR notation ("1.2.3.0/24", "2001:db8::/32"); a bare address is a host route. */
  insert (network: string, value: MmdbValue): void {
    const cidr = parseCidr(network)
    if (cidr === undefined) throw new TypeError(`not a network (CIDR with zero host bits expected): ${network}`)
    this.insertNetwork(cidr, value)
  }

  /** Inserts an already parsed network (see parseCidr). */
  insertNetwork (cidr: ParsedCidr, value: MmdbValue): void {
    if (cidr.version === 6) this.checkIPv6Allowed('IPv6 network')
    const leaf = this.leafFor(value)
    if (cidr.version === 4) {
      this.insertIPv4Network(Number(bytesToBigInt(cidr.bytes)), cidr.prefixLength, leaf)
    } else {
      this.insertIPv6Network(bytesToBigInt(cidr.bytes), cidr.prefixLength, leaf)
    }
  }

  /** Inserts the inclusive range first..last as its minimal set of CIDR networks. */
  insertRange (first: string, last: string, value: MmdbValue): void {
    const a = parseIp(first)
    const b = parseIp(last)
    if (a === undefined) throw new TypeError(`not an IP address: ${first}`)
    if (b === undefined) throw new TypeError(`not an IP address: ${last}`)
    if (a.version !== b.version) throw new TypeError(`range mixes IPv4 and IPv6: ${first} - ${last}`)
    if (a.version === 4) {
      this.insertIPv4Range(parseIPv4Number(first) as number, parseIPv4Number(last) as number, value)
    } else {
      this.insertIPv6Range(bytesToBigInt(a.bytes), bytesToBigInt(b.bytes), value)
    }
  }

  /** Inclusive IPv4 range given as unsigned 32-bit numbers. */
  insertIPv4Range (first: number, last: number, value: MmdbValue): void {
    if (!isUint32(first) || !isUint32(last)) throw new RangeError('IPv4 range bounds must be integers in 0..2^32-1')
    if (first > last) throw new RangeError(`range start after range end: ${first} > ${last}`)
    const leaf = this.leafFor(value)
    let start = first
    for (;;) {
      const span = last - start + 1 // 1..2^32
      const fit = span >= 0x100000000 ? 32 : 31 - Math.clz32(span)
      const align = start === 0 ? 32 : 31 - Math.clz32(start & -start)
      const k = Math.min(fit, align)
      this.insertIPv4Network(start, 32 - k, leaf)
      const next = start + 2 ** k
      if (next > last) return
      start = next
    }
  }

  /** Inclusive IPv6 range given as unsigned 128-bit integers. */
  insertIPv6Range (first: bigint, last: bigint, value: MmdbValue): void {
    this.checkIPv6Allowed('IPv6 range')
    if (first < 0n || last >= (1n << 128n) || first > last) throw new RangeError('IPv6 range bounds must be 0 <= first <= last < 2^128')
    const leaf = this.leafFor(value)
    let start = first
    for (;;) {
      const fit = bitLength(last - start + 1n) - 1
      const align = start === 0n ? 128 : bitLength(start & -start) - 1
      const k = Math.min(fit, align)
      this.insertIPv6Network(start, 128 - k, leaf)
      const next = start + (1n << BigInt(k))
      if (next > last) return
      start = next
    }
  }

  /** Serializes the database. The writer stays usable (more inserts, another build). */
  build (): Buffer {
    return this.emit().buffer
  }

  /** Like build(), with numbers about the result. */
  buildWithStats (): { buffer: Buffer, stats: MmdbBuildStats } {
    return this.emit()
  }

  private checkIPv6Allowed (what: string): void {
    if (this.options.ipVersion === 4) throw new RangeError(`${what} in an IPv4 database`)
  }

  private leafFor (value: MmdbValue): number {
    if (value === undefined || value === null) throw new TypeError('a network needs a value (use a map or a scalar)')
    const isObject = typeof value === 'object'
    if (isObject) {
      const known = this.idByObject.get(value)
      if (known !== undefined) return -(known + 1)
    }
    const key = valueKey(value)
    let id = this.idByKey.get(key)
    if (id === undefined) {
      id = this.values.length
      this.values.push(value)
      this.valueKeys.push(key)
      this.idByKey.set(key, id)
    }
    if (isObject) this.idByObject.set(value, id)
    return -(id + 1)
  }

  private insertIPv4Network (address: number, prefixLength: number, leaf: number): void {
    const key = this.key
    key[0] = 0
    key[1] = 0
    key[2] = 0
    key[3] = address
    this.insertKey(96 + prefixLength, leaf)
  }

  private insertIPv6Network (address: bigint, prefixLength: number, leaf: number): void {
    const key = this.key
    key[0] = Number((address >> 96n) & 0xffffffffn)
    key[1] = Number((address >> 64n) & 0xffffffffn)
    key[2] = Number((address >> 32n) & 0xffffffffn)
    key[3] = Number(address & 0xffffffffn)
    this.insertKey(prefixLength, leaf)
  }

  private allocNode (fill: number): number {
    if ((this.nodes + 1) * 2 > this.kids.length) {
      const next = new Int32Array(this.kids.length * 2)
      next.set(this.kids)
      this.kids = next
    }
    const node = this.nodes++
    this.kids[node * 2] = fill
    this.kids[node * 2 + 1] = fill
    return node
  }

  /**
   * Sets the slot of the network made of the first `prefixLength` bits of this.key (a 128-bit key;
   * IPv4 databases use its last 32 bits) to `leaf`, splitting leaves on the way down.
   * Returns the slot index.
   */
  private insertKey (prefixLength: number, leaf: number): number {
    this.networks++
    const key = this.key
    if (prefixLength === this.startBit) {
      this.kids[0] = leaf
      this.kids[1] = leaf
      return 0
    }
    let node = 0
    for (let bit = this.startBit; ; bit++) {
      const b = ((key[bit >>> 5] as number) >>> (31 - (bit & 31))) & 1
      const slot = node * 2 + b
      if (bit === prefixLength - 1) {
        this.kids[slot] = leaf
        return slot
      }
      let next = this.kids[slot] as number
      if (next <= 0) {
        next = this.allocNode(next)
        this.kids[slot] = next
      }
      node = next
    }
  }

  /** Merges sibling leaves holding the same value; returns the slot's new content. */
  private collapse (slotValue: number): number {
    if (slotValue <= 0) return slotValue
    const kids = this.kids
    const left = this.collapse(kids[slotValue * 2] as number)
    const right = this.collapse(kids[slotValue * 2 + 1] as number)
    if (left <= 0 && left === right) return left
    this.kids[slotValue * 2] = left
    this.kids[slotValue * 2 + 1] = right
    return slotValue
  }

  /**
   * Points ::ffff:0:0/96 at the IPv4 subtree (::/96). Returns an undo function: the alias makes the
   * tree a DAG, which later inserts must not see.
   */
  private aliasIPv4Mapped (): () => void {
    // the content of the ::/96 slot: the root of the IPv4 subtree, a leaf, or empty
    let node = 0
    let ipv4Root = 0
    for (let bit = 0; bit < 96; bit++) {
      const child = this.kids[node * 2] as number
      if (child <= 0 || bit === 95) {
        ipv4Root = child
        break
      }
      node = child
    }
    if (ipv4Root === 0) return () => {}
    // walk/split down to the ::ffff:0:0/96 slot
    const key = this.key
    for (let i = 0; i < 4; i++) key[i] = IPV4_MAPPED_PREFIX[i] as number
    node = 0
    for (let bit = 0; bit < 96; bit++) {
      const b = ((key[bit >>> 5] as number) >>> (31 - (bit & 31))) & 1
      const slot = node * 2 + b
      const current = this.kids[slot] as number
      if (bit === 95) {
        if (current > 0) throw new Error('data was inserted inside ::ffff:0:0/96; disable aliasIPv4Mapped to keep it')
        this.kids[slot] = ipv4Root
        return () => { this.kids[slot] = current }
      }
      let next = current
      if (next <= 0) {
        next = this.allocNode(next)
        this.kids[slot] = next
      }
      node = next
    }
    return () => {}
  }

  private emit (): { buffer: Buffer, stats: MmdbBuildStats } {
    this.kids[0] = this.collapse(this.kids[0] as number)
    this.kids[1] = this.collapse(this.kids[1] as number)
    const undoAlias = this.options.ipVersion === 6 && this.options.aliasIPv4Mapped ? this.aliasIPv4Mapped() : () => {}
    try {
      return this.serialize()
    } finally {
      undoAlias()
    }
  }

  private serialize (): { buffer: Buffer, stats: MmdbBuildStats } {
    const kids = this.kids
    const allocated = this.nodes
    // breadth-first numbering of the reachable nodes; data records encoded in first-use order
    const newId = new Int32Array(allocated).fill(-1)
    const order = new Int32Array(allocated)
    newId[0] = 0
    order[0] = 0
    let count = 1
    const data = new DataEncoder({ dedupe: true, initialSize: 1024 * 1024 })
    const dataOffset = new Int32Array(this.values.length).fill(-1)
    let dataRecords = 0
    for (let i = 0; i < count; i++) {
      const node = order[i] as number
      for (let side = 0; side < 2; side++) {
        const child = kids[node * 2 + side] as number
        if (child > 0) {
          if (newId[child] === -1) {
            newId[child] = count
            order[count++] = child
          }
        } else if (child < 0) {
          const id = -child - 1
          if (dataOffset[id] === -1) {
            dataOffset[id] = data.write(this.values[id] as MmdbValue, this.valueKeys[id])
            dataRecords++
          }
        }
      }
    }
    const nodeCount = count
    const dataBytes = data.bytes()
    const maxRecord = nodeCount + SEPARATOR_BYTES + dataBytes.length
    const recordSize = this.chooseRecordSize(maxRecord)
    const treeBytes = (nodeCount * recordSize) / 4
    const metadata = this.metadataBytes(nodeCount, recordSize)
    const total = treeBytes + SEPARATOR_BYTES + dataBytes.length + METADATA_MARKER.length + metadata.length
    const out = Buffer.alloc(total)

    const record = (slot: number): number => {
      if (slot > 0) return newId[slot] as number
      if (slot === 0) return nodeCount
      return nodeCount + SEPARATOR_BYTES + (dataOffset[-slot - 1] as number)
    }
    let p = 0
    for (let i = 0; i < nodeCount; i++) {
      const node = order[i] as number
      const left = record(kids[node * 2] as number)
      const right = record(kids[node * 2 + 1] as number)
      if (recordSize === 24) {
        out.writeUIntBE(left, p, 3)
        out.writeUIntBE(right, p + 3, 3)
        p += 6
      } else if (recordSize === 28) {
        out.writeUIntBE(left & 0xffffff, p, 3)
        out[p + 3] = ((Math.floor(left / 0x1000000) & 0x0f) << 4) | (Math.floor(right / 0x1000000) & 0x0f)
        out.writeUIntBE(right & 0xffffff, p + 4, 3)
        p += 7
      } else {
        out.writeUInt32BE(left, p)
        out.writeUInt32BE(right, p + 4)
        p += 8
      }
    }
    p += SEPARATOR_BYTES // already zero
    dataBytes.copy(out, p)
    p += dataBytes.length
    METADATA_MARKER.copy(out, p)
    p += METADATA_MARKER.length
    metadata.copy(out, p)
    return {
      buffer: out,
      stats: { nodeCount, recordSize, dataRecords, dataSectionBytes: dataBytes.length, totalBytes: total }
    }
  }

  private chooseRecordSize (maxRecord: number): 24 | 28 | 32 {
    const fits = (size: number): boolean => maxRecord < 2 ** size
    const wanted = this.options.recordSize
    if (wanted !== undefined) {
      if (!fits(wanted)) throw new RangeError(`record size ${wanted} is too small for this database (largest record value ${maxRecord})`)
      return wanted
    }
    if (fits(24)) return 24
    if (fits(28)) return 28
    if (fits(32)) return 32
    throw new RangeError('database too large for the MMDB format (more than 2^32 record values)')
  }

  private metadataBytes (nodeCount: number, recordSize: number): Buffer {
    const encoder = new DataEncoder({ dedupe: false, initialSize: 1024 })
    encoder.write({
      binary_format_major_version: uint16(2),
      binary_format_minor_version: uint16(0),
      build_epoch: uint64(this.options.buildEpoch),
      database_type: this.options.databaseType,
      description: this.options.description,
      ip_version: uint16(this.options.ipVersion),
      languages: this.options.languages,
      node_count: uint32(nodeCount),
      record_size: uint16(recordSize)
    })
    return Buffer.from(encoder.bytes())
  }
}

function isUint32 (n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff
}

function bitLength (n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length
}
