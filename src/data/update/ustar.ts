/**
 * A reader of the tar archives data is published in (npm package tarballs, MaxMind's database
 * archives): POSIX ustar, with the pax (`x`) and GNU (`L`) long-name extensions, read from memory
 * once decompressed. Regular files only are returned; links, folders and devices are skipped,
 * never followed. Every header's checksum is verified: a damaged archive is an error, not a
 * shorter list of files.
 */
export interface TarEntry {
  /** the path inside the archive, as stored (`package/asn-ipv4.csv`) */
  name: string
  data: Buffer
}

export class TarError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'TarError'
  }
}

const BLOCK = 512

export function readTar (archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = []
  let offset = 0
  let longName: string | undefined
  let sawEnd = false
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK)
    if (header.every((b) => b === 0)) {
      sawEnd = true
      break
    }
    verifyChecksum(header, offset)
    const size = octal(header.subarray(124, 136), 'size', offset)
    const type = String.fromCharCode(header[156] as number)
    const start = offset + BLOCK
    const end = start + size
    if (end > archive.length) throw new TarError(`the archive is truncated: an entry at byte ${offset} needs ${size} bytes`)
    const data = archive.subarray(start, end)
    offset = start + Math.ceil(size / BLOCK) * BLOCK
    if (type === 'x') {
      longName = paxPath(data) ?? longName
      continue
    }
    if (type === 'L') {
      longName = cString(data)
      continue
    }
    if (type === 'g') continue
    const name = longName ?? headerName(header)
    longName = undefined
    if (type === '0' || type === '\0' || type === '7') entries.push({ name, data })
  }
  if (!sawEnd && offset < archive.length) throw new TarError('the archive ends inside a header')
  return entries
}

/** The entry whose path ends with `/<file>` (or is `<file>`); undefined when there is none. */
export function findEntry (entries: readonly TarEntry[], file: string): TarEntry | undefined {
  return entries.find((e) => e.name === file || e.name.endsWith(`/${file}`))
}

function headerName (header: Buffer): string {
  const name = cString(header.subarray(0, 100))
  const magic = header.subarray(257, 263).toString('latin1')
  const prefix = magic.startsWith('ustar') ? cString(header.subarray(345, 500)) : ''
  return prefix === '' ? name : `${prefix}/${name}`
}

function cString (bytes: Buffer): string {
  const nul = bytes.indexOf(0)
  return bytes.subarray(0, nul === -1 ? bytes.length : nul).toString('utf8')
}

function octal (field: Buffer, what: string, at: number): number {
  const text = cString(field).trim()
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bad ${what} field in the header at byte ${at}`)
  return parseInt(text, 8)
}

function verifyChecksum (header: Buffer, at: number): void {
  const stored = octal(header.subarray(148, 156), 'checksum', at)
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i] as number
  if (sum !== stored) throw new TarError(`the header at byte ${at} is damaged (checksum mismatch)`)
}

/** `path=` of a pax extended header ("<length> path=<value>\n" records) */
function paxPath (data: Buffer): string | undefined {
  let path: string | undefined
  let i = 0
  while (i < data.length) {
    const space = data.indexOf(0x20, i)
    if (space === -1) break
    const length = Number(data.subarray(i, space).toString('latin1'))
    if (!Number.isInteger(length) || length <= 0 || i + length > data.length) break
    const record = data.subarray(space + 1, i + length - 1).toString('utf8')
    if (record.startsWith('path=')) path = record.slice(5)
    i += length
  }
  return path
}
