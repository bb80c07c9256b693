import { Reader } from 'maxmind'
import { parseCidr } from '../../mmdb/ip-address.js'
import type { ParsedCidr } from '../../mmdb/ip-address.js'
import { MmdbWriter } from '../../mmdb/writer.js'
import { describeFsError, IpDataError, IpDataKind, IpDataRole, readDataFile } from './data-source.js'
import type { IpDataSource } from './data-source.js'
import type { NormalizedIp } from './normalize.js'

/**
 * Hosting / datacenter lists: the bundled data/hosting-asns.txt plus any operator lists. One entry
 * a line, `#` starts a comment (the provider's name, by convention):
 *
 *   16509            # Amazon AWS
 *   AS14061          # DigitalOcean
 *   203.0.113.0/24   # a network (IPv4 or IPv6 CIDR, host bits zero; a bare address is one host)
 */
export interface HostingEntries {
  asns: Map<number, string>
  networks: Array<{ cidr: ParsedCidr, label: string }>
}

export interface HostingList {
  sources: IpDataSource[]
  /** the parsed files it was merged from (a reload of one file re-merges the others as they are) */
  files: HostingFile[]
  asnCount: number
  networkCount: number
  hasAsn: (asn: number) => boolean
  /** undefined when no list holds networks (the lists cannot say anything about an address) */
  inNetworks: ((ip: NormalizedIp) => boolean) | undefined
}

export class HostingListError extends IpDataError {
  constructor (message: string) {
    super(message)
    this.name = 'HostingListError'
  }
}

const ASN = /^(?:AS)?([0-9]{1,10})$/i

/** Parses one list; `into` collects entries across files. Throws HostingListError on a bad line. */
export function parseHostingList (text: string, file: string, into: HostingEntries = { asns: new Map(), networks: [] }): { entries: HostingEntries, count: number } {
  const lines = text.split('\n')
  let count = 0
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string
    const hash = raw.indexOf('#')
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    const label = hash === -1 ? '' : raw.slice(hash + 1).trim()
    if (line === '') continue
    const asn = ASN.exec(line)
    if (asn !== null) {
      const n = Number(asn[1])
      if (n === 0 || n > 0xffffffff) throw new HostingListError(`${file}:${i + 1}: AS number out of range`)
      if (!into.asns.has(n)) into.asns.set(n, label)
      count++
      continue
    }
    const cidr = parseCidr(line)
    if (cidr === undefined) throw new HostingListError(`${file}:${i + 1}: expected an AS number or a CIDR network with zero host bits`)
    into.networks.push({ cidr, label })
    count++
  }
  return { entries: into, count }
}

/** One hosting list file, parsed. */
export interface HostingFile {
  source: IpDataSource
  entries: HostingEntries
}

/** Reads and parses one list file. Throws IpDataError (unreadable) or HostingListError (bad line). */
export async function loadHostingFile (path: string): Promise<HostingFile> {
  let file: Awaited<ReturnType<typeof readDataFile>>
  try {
    file = await readDataFile(path)
  } catch (err) {
    throw new IpDataError(`hosting list ${path}: ${describeFsError(err)}`, { cause: err })
  }
  const { entries, count } = parseHostingList(file.buffer.toString('utf8'), path)
  return {
    source: {
      name: IpDataRole.HOSTING,
      kind: IpDataKind.LIST,
      path,
      built_at: file.modified.toISOString(),
      built_at_source: 'file_mtime',
      entries: count,
      loaded_at: new Date().toISOString(),
      stamp: file.stamp
    },
    entries
  }
}

/** Several parsed files as one list (an ASN or network on any of them counts). */
export function mergeHostingFiles (files: readonly HostingFile[]): HostingList {
  const asns = new Map<number, string>()
  const networks: HostingEntries['networks'] = []
  for (const file of files) {
    for (const [asn, label] of file.entries.asns) if (!asns.has(asn)) asns.set(asn, label)
    networks.push(...file.entries.networks)
  }
  return {
    sources: files.map((f) => f.source),
    files: [...files],
    asnCount: asns.size,
    networkCount: networks.length,
    hasAsn: (asn) => asns.has(asn),
    inNetworks: networks.length === 0 ? undefined : networkMatcher(networks)
  }
}

export async function loadHostingLists (paths: readonly string[]): Promise<HostingList> {
  return mergeHostingFiles(await Promise.all(paths.map(loadHostingFile)))
}

/** Networks compiled into an in-memory MMDB (our writer, the maxmind reader): one tree walk a lookup. */
function networkMatcher (networks: HostingEntries['networks']): (ip: NormalizedIp) => boolean {
  const writer = new MmdbWriter({ databaseType: 'riskgate-hosting-networks', ipVersion: 6, buildEpoch: 0 })
  for (const { cidr } of networks) writer.insertNetwork(cidr, true)
  const reader = new Reader<never>(writer.build())
  return (ip) => (reader.get(ip.address) as unknown) === true
}
