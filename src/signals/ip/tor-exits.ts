import { describeFsError, IpDataError, IpDataKind, IpDataRole, readDataFile } from './data-source.js'
import type { IpDataSource } from './data-source.js'
import { normalizeIp } from './normalize.js'

/**
 * The Tor exit list: the bulk exit list of check.torproject.org (one address a line), with `#`
 * comments and blank lines allowed. Lines of the longer `exit-addresses` format are understood too
 * (`ExitAddress <ip> <date> <time>`; its other lines are skipped). Addresses are normalized, so
 * `::ffff:a.b.c.d` and compressed/uncompressed IPv6 spellings match.
 */
export interface TorExitList {
  source: IpDataSource
  size: number
  /** `address` as normalizeIp returns it */
  has: (address: string) => boolean
}

const EXIT_ADDRESSES_KEYWORDS = new Set(['ExitNode', 'Published', 'LastStatus'])

export class TorListError extends IpDataError {
  constructor (message: string) {
    super(message)
    this.name = 'TorListError'
  }
}

/** Parses the list text; throws TorListError naming the first bad line. */
export function parseTorExits (text: string, file = 'tor exit list'): Set<string> {
  const addresses = new Set<string>()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const hash = (lines[i] as string).indexOf('#')
    const line = (hash === -1 ? lines[i] as string : (lines[i] as string).slice(0, hash)).trim()
    if (line === '') continue
    let candidate = line
    const words = line.split(/\s+/)
    if (words.length > 1) {
      if (EXIT_ADDRESSES_KEYWORDS.has(words[0] as string)) continue
      if (words[0] !== 'ExitAddress') throw new TorListError(`${file}:${i + 1}: expected one IP address a line`)
      candidate = words[1] as string
    } else if (EXIT_ADDRESSES_KEYWORDS.has(line)) {
      continue
    }
    const ip = normalizeIp(candidate)
    if (!ip.ok) throw new TorListError(`${file}:${i + 1}: not an IP address`)
    addresses.add(ip.address)
  }
  return addresses
}

export async function loadTorExits (path: string): Promise<TorExitList> {
  let file: Awaited<ReturnType<typeof readDataFile>>
  try {
    file = await readDataFile(path)
  } catch (err) {
    throw new IpDataError(`tor exit list ${path}: ${describeFsError(err)}`, { cause: err })
  }
  const addresses = parseTorExits(file.buffer.toString('utf8'), path)
  return {
    source: {
      name: IpDataRole.TOR_EXITS,
      kind: IpDataKind.LIST,
      path,
      built_at: file.modified.toISOString(),
      built_at_source: 'file_mtime',
      entries: addresses.size,
      loaded_at: new Date().toISOString(),
      stamp: file.stamp
    },
    size: addresses.size,
    has: (address) => addresses.has(address)
  }
}
