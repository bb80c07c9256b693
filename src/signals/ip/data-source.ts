import { open, stat } from 'node:fs/promises'

/**
 * Provenance of one loaded IP data file, for /readyz and the score response ("which data is
 * loaded and how old it is").
 */
export const IpDataKind = {
  MMDB: 'mmdb',
  LIST: 'list'
} as const
export type IpDataKindName = typeof IpDataKind[keyof typeof IpDataKind]

export const IpDataRole = {
  COUNTRY: 'country',
  ASN: 'asn',
  ANONYMOUS: 'anonymous',
  CONNECTION_TYPE: 'connection_type',
  TOR_EXITS: 'tor_exits',
  HOSTING: 'hosting'
} as const
export type IpDataRoleName = typeof IpDataRole[keyof typeof IpDataRole]

export interface IpDataSource {
  name: IpDataRoleName
  kind: IpDataKindName
  /** the file as configured */
  path: string
  /** MMDB metadata database_type, e.g. 'GeoIP2-City', 'riskgate-ASN' */
  database_type?: string
  /** MMDB only: 4 = an IPv4-only database (IPv6 addresses are not looked up in it) */
  ip_version?: 4 | 6
  /** ISO 8601: the MMDB build epoch, or the file's modification time for lists */
  built_at: string
  built_at_source: 'metadata' | 'file_mtime'
  /** MMDB: search tree nodes */
  node_count?: number
  /** lists: addresses, ASNs or networks read */
  entries?: number
  /** ISO 8601: when this process read the file (changes on a hot reload) */
  loaded_at: string
  /** identity of the file content that was read (see fileStamp): a different stamp on disk means replaced */
  stamp: FileStamp
}

/**
 * Which file content a source was read from: inode, size and modification time. An atomic rename
 * gives a new inode, a rewrite a new size or time; `missing` when there is no file.
 */
export type FileStamp = string

export const MISSING_FILE: FileStamp = 'missing'

export function fileStamp (stats: { ino: number, size: number, mtimeMs: number }): FileStamp {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`
}

/** The stamp of the file at `path` now (following symlinks), or MISSING_FILE. */
export async function currentStamp (path: string): Promise<FileStamp> {
  try {
    return fileStamp(await stat(path))
  } catch {
    return MISSING_FILE
  }
}

/**
 * Reads a whole data file through one open descriptor, so that the stamp and modification time
 * describe exactly the bytes read even when the file is replaced meanwhile.
 */
export async function readDataFile (path: string): Promise<{ buffer: Buffer, stamp: FileStamp, modified: Date }> {
  const handle = await open(path, 'r')
  try {
    const stats = await handle.stat()
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' })
    const buffer = await handle.readFile()
    return { buffer, stamp: fileStamp(stats), modified: stats.mtime }
  } finally {
    await handle.close()
  }
}

/** A data file that cannot be loaded: the service must not start on half its data. */
export class IpDataError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'IpDataError'
  }
}

export function describeFsError (err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  return err instanceof Error ? err.message : String(err)
}
