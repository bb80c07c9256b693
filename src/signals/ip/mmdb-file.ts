import { Reader } from 'maxmind'
import type { Response } from 'maxmind'
import type { NormalizedIp } from './normalize.js'
import { describeFsError, IpDataError, IpDataKind, readDataFile } from './data-source.js'
import type { IpDataRoleName, IpDataSource } from './data-source.js'

export type MmdbRecord = Record<string, unknown>

/** One MMDB loaded into memory (read once; lookups never touch the disk). */
export interface MmdbFile {
  source: IpDataSource
  databaseType: string
  ipVersion: 4 | 6
  /**
   * The record for an address. `undefined`: this database cannot answer (an IPv6 address asked of
   * an IPv4-only database); `null`: no record (for MaxMind anonymizer databases: a clean address).
   */
  lookup: (ip: NormalizedIp) => MmdbRecord | null | undefined
}

/** Reads an MMDB file; `hint` is added to the error when the file does not exist. */
export async function openMmdbFile (path: string, role: IpDataRoleName, hint = ''): Promise<MmdbFile> {
  let file: Awaited<ReturnType<typeof readDataFile>>
  try {
    file = await readDataFile(path)
  } catch (err) {
    const missing = (err as { code?: unknown } | null)?.code === 'ENOENT'
    throw new IpDataError(`${role} database ${path}: ${describeFsError(err)}${missing ? hint : ''}`, { cause: err })
  }
  const buffer = file.buffer
  if (buffer.lastIndexOf(METADATA_MARKER) === -1) {
    throw new IpDataError(`${role} database ${path} is not a MaxMind DB file: no metadata section (truncated or another format)`)
  }
  let reader: Reader<Response>
  try {
    reader = new Reader(buffer, { cache: boundedCache(DECODED_RECORDS_CACHED) })
  } catch (err) {
    throw new IpDataError(`${role} database ${path} is not a MaxMind DB file: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  const metadata = reader.metadata
  if (metadata.binaryFormatMajorVersion !== 2) {
    throw new IpDataError(`${role} database ${path}: unsupported MaxMind DB format ${metadata.binaryFormatMajorVersion}`)
  }
  if (metadata.ipVersion !== 4 && metadata.ipVersion !== 6) {
    throw new IpDataError(`${role} database ${path}: bad ip_version ${String(metadata.ipVersion)}`)
  }
  const ipVersion: 4 | 6 = metadata.ipVersion
  const databaseType = typeof metadata.databaseType === 'string' ? metadata.databaseType : ''
  const mismatch = roleMismatch(role, databaseType)
  if (mismatch !== undefined) throw new IpDataError(`${role} database ${path} is a ${databaseType} database: ${mismatch}`)
  const damage = structuralDamage(buffer, metadata, reader, ipVersion)
  if (damage !== undefined) throw new IpDataError(`${role} database ${path} is damaged: ${damage}`)
  const source: IpDataSource = {
    name: role,
    kind: IpDataKind.MMDB,
    path,
    database_type: databaseType,
    ip_version: ipVersion,
    built_at: validDate(metadata.buildEpoch),
    built_at_source: 'metadata',
    node_count: metadata.nodeCount,
    loaded_at: new Date().toISOString(),
    stamp: file.stamp
  }
  const lookup = ipVersion === 4
    ? (ip: NormalizedIp) => ip.version === 4 ? recordOf(reader.get(ip.address)) : undefined
    : (ip: NormalizedIp) => recordOf(reader.get(ip.address))
  return { source, databaseType, ipVersion, lookup }
}

/** "\xAB\xCD\xEFMaxMind.com": the start of the metadata section, at the end of every MMDB file. */
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex')
const DATA_SECTION_SEPARATOR = 16

/**
 * MaxMind's own database types riskgate knows, by role. A MaxMind database of another type (a
 * Connection-Type, Domain or City database given as the anonymizer database...) is refused: its
 * records have none of the role's fields, and an anonymizer database without flags would say
 * "not a VPN" for every address. Other vendors' types are accepted as they are.
 */
const MAXMIND_TYPE = /^(?:GeoIP2|GeoLite2|GeoIP)-/
const ROLE_TYPES: Record<IpDataRoleName, { pattern: RegExp, expected: string } | undefined> = {
  country: { pattern: /^(?:GeoIP2|GeoLite2)-(?:Precision-)?(?:City|Country|Enterprise)\b/, expected: 'expected a City, Country or Enterprise database' },
  asn: { pattern: /^(?:GeoIP2|GeoLite2)-(?:Precision-)?(?:ASN|ISP|Enterprise)\b/, expected: 'expected an ASN, ISP or Enterprise database' },
  anonymous: { pattern: /^(?:GeoIP2|GeoIP)-(?:Anonymous-IP|IP-Risk|Anonymous-Plus|Residential-Proxy)\b/, expected: 'expected an Anonymous-IP, IP-Risk, Anonymous-Plus or Residential-Proxy database' },
  connection_type: { pattern: /^GeoIP2-(?:Connection-Type|Enterprise)\b/, expected: 'expected a Connection-Type or Enterprise database' },
  tor_exits: undefined,
  hosting: undefined
}

export function roleMismatch (role: IpDataRoleName, databaseType: string): string | undefined {
  const rule = ROLE_TYPES[role]
  if (rule === undefined || !MAXMIND_TYPE.test(databaseType) || rule.pattern.test(databaseType)) return undefined
  return rule.expected
}

// addresses spread over the IPv4 and IPv6 space: each walks the tree and decodes what it finds
const PROBES = [
  ...Array.from({ length: 32 }, (_, i) => `${i * 8 + 1}.${(i * 37) % 256}.${(i * 73) % 256}.1`),
  '2001:4860:4860::8888', '2a00:1450::1', '2400:cb00::1', '2600:1f00::1', '2c0f:f248::1'
]

/**
 * What a truncated or overwritten file shows: a search tree longer than the file, a data section
 * separator that is not zero, a tree record that points nowhere (neither a node, nor "no data",
 * nor inside the data section), or a lookup that cannot be decoded.
 */
function structuralDamage (buffer: Buffer, metadata: Reader<Response>['metadata'], reader: Reader<Response>, ipVersion: 4 | 6): string | undefined {
  const { searchTreeSize, nodeCount, recordSize } = metadata
  if (!Number.isSafeInteger(searchTreeSize) || searchTreeSize + DATA_SECTION_SEPARATOR > buffer.length) {
    return 'the search tree is longer than the file'
  }
  for (let i = 0; i < DATA_SECTION_SEPARATOR; i++) {
    if (buffer[searchTreeSize + i] !== 0) return 'no data section separator after the search tree'
  }
  const dataSectionSize = buffer.lastIndexOf(METADATA_MARKER) - searchTreeSize - DATA_SECTION_SEPARATOR
  const bad = badTreeRecord(buffer, nodeCount, recordSize, dataSectionSize)
  if (bad !== undefined) return `search tree node ${bad} points outside the file`
  for (const probe of PROBES) {
    if (ipVersion === 4 && probe.includes(':')) continue
    try {
      reader.get(probe)
    } catch (err) {
      return `looking up ${probe} fails: ${err instanceof Error ? err.message : String(err)}`
    }
  }
  return undefined
}

function uint24 (buffer: Buffer, offset: number): number {
  return ((buffer[offset] as number) << 16) | ((buffer[offset + 1] as number) << 8) | (buffer[offset + 2] as number)
}

/**
 * The first node with a record that is neither a node number, nor nodeCount (no data), nor a
 * pointer into the data section; undefined when every record is sound. One pass over the tree.
 */
function badTreeRecord (buffer: Buffer, nodeCount: number, recordSize: number, dataSectionSize: number): number | undefined {
  const limit = nodeCount + DATA_SECTION_SEPARATOR + dataSectionSize
  const sound = (record: number): boolean => record <= nodeCount || (record >= nodeCount + DATA_SECTION_SEPARATOR && record < limit)
  const nodeBytes = recordSize / 4
  for (let node = 0, offset = 0; node < nodeCount; node++, offset += nodeBytes) {
    let left: number
    let right: number
    // byte arithmetic rather than readUIntBE: this loop visits every node of the tree at load
    if (recordSize === 24) {
      left = uint24(buffer, offset)
      right = uint24(buffer, offset + 3)
    } else if (recordSize === 28) {
      const middle = buffer[offset + 3] as number
      left = ((middle & 0xf0) * 0x100000) + uint24(buffer, offset)
      right = ((middle & 0x0f) * 0x1000000) + uint24(buffer, offset + 4)
    } else {
      left = buffer.readUInt32BE(offset)
      right = buffer.readUInt32BE(offset + 4)
    }
    if (!sound(left) || !sound(right)) return node
  }
  return undefined
}

/**
 * Decoded records by data offset: a database holds far fewer distinct records than networks, so
 * most lookups skip decoding. Cached records are shared: callers only read them. Bounded (the
 * cache empties when full) so a database with millions of distinct records cannot grow memory.
 */
const DECODED_RECORDS_CACHED = 50_000

function boundedCache (max: number): { get: (key: string | number) => unknown, set: (key: string | number, value: unknown) => void } {
  const map = new Map<string | number, unknown>()
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      if (map.size >= max) map.clear()
      map.set(key, value)
    }
  }
}

function recordOf (value: unknown): MmdbRecord | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as MmdbRecord : null
}

function validDate (date: Date): string {
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString()
}
