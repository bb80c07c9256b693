import { GenerationCache } from '../../util/generation-cache.js'
import { resolve } from 'node:path'
import type { IpSignals } from '../../schemas/signals.js'
import { bundledDataPaths } from './bundled-data.js'
import { IpDataRole } from './data-source.js'
import type { IpDataRoleName, IpDataSource } from './data-source.js'
import { loadHostingFile, loadHostingLists, mergeHostingFiles } from './hosting-list.js'
import type { HostingFile, HostingList } from './hosting-list.js'
import { openMmdbFile } from './mmdb-file.js'
import type { MmdbFile } from './mmdb-file.js'
import { invalidIpError, normalizeIp } from './normalize.js'
import type { NormalizedIp } from './normalize.js'
import { anonymizerFromRecord, asnFromRecord, connectionTypeFromRecord, countryFromRecord, locationFromRecord } from './record-fields.js'
import type { GeoPoint } from '../geo/geo-point.js'
import { loadTorExits } from './tor-exits.js'
import type { TorExitList } from './tor-exits.js'

export interface IpIntelOptions {
  /** GeoIP2/GeoLite2 City or Country, or the flat `country_code` shape */
  countryDb?: string
  /** GeoLite2-ASN or GeoIP2-ISP shape */
  asnDb?: string
  /** GeoIP2-Anonymous-IP, GeoIP2-IP-Risk, GeoIP-Anonymous-Plus (or Residential-Proxy) */
  anonymousDb?: string
  /** GeoIP2-Connection-Type (or Enterprise) */
  connectionTypeDb?: string
  /** Tor bulk exit list */
  torExitsFile?: string
  /** hosting ASN / network lists, all merged */
  hostingAsnFiles?: string[]
}

/** One configured file and the role it plays. */
export interface IpDataFile {
  role: IpDataRoleName
  path: string
}

/** What happened to one file on reload. */
export interface ReloadOutcome {
  role: IpDataRoleName
  path: string
  /** `reloaded`: swapped in; `refused`: unreadable or invalid, the data loaded before stays */
  status: 'reloaded' | 'refused'
  /** the new source, when reloaded */
  source?: IpDataSource
  /** why, when refused */
  error?: string
}

/** A replacement that was refused: the file on disk is not the data being served. */
export interface RefusedReplacement {
  role: IpDataRoleName
  path: string
  /** ISO 8601 */
  at: string
  error: string
}

/** An address's signals and, when the country database places it in a city, its location. */
export interface IpLookup {
  signals: IpSignals
  /** not a signal (never answered nor recorded): what the IP-to-billing distance is measured from */
  location: GeoPoint | undefined
}

export interface IpIntel {
  /**
   * The IP signals of an address (see IpSignals: an absent field is unknown). Throws the 400
   * RiskgateError of invalidIpError for text that is not an IP address.
   */
  lookup: (ip: string) => IpSignals
  /** The same, with the address's location (one lookup, cached together). */
  lookupWithLocation: (ip: string) => IpLookup
  /** The same for an address normalizeIp already accepted. */
  lookupNormalized: (ip: NormalizedIp) => IpSignals
  /**
   * The country database is a City or Enterprise database (GeoIP2/GeoLite2-City, a `city`
   * database of another vendor): its records may carry locations
   */
  readonly locates: boolean
  /** what is loaded now, from where, and how old it is (a new array after each reload) */
  readonly sources: IpDataSource[]
  /** every configured file, in the order of `sources` */
  readonly files: IpDataFile[]
  /** replacements refused since each file last loaded (cleared by the next good load of that file) */
  readonly refused: RefusedReplacement[]
  /**
   * Reads configured files again (those given, all when omitted) and swaps each one that loads in,
   * in one assignment: a lookup sees the old data or the new, never a mix. A file that does not
   * load is refused and the data loaded before stays. Reloads run one at a time.
   */
  reload: (paths?: readonly string[]) => Promise<ReloadOutcome[]>
  /** drops the in-memory databases; later lookups answer only address, version and is_private */
  close: () => Promise<void>
}

/**
 * Loads every configured IP data source (at start; any failure rejects, naming the file) and
 * answers lookups synchronously from memory.
 *
 * Signals, when the data to know them is loaded:
 * - country, asn, as_org: from the country and ASN databases;
 * - is_hosting: the ASN is on a hosting list (when the ASN is known), or the address is in a
 *   listed network, or the anonymizer database says hosting provider;
 * - is_tor: on the Tor exit list, or the anonymizer database says Tor exit;
 * - is_vpn / is_proxy / is_residential_proxy: the anonymizer database's anonymous VPN, public
 *   proxy and residential proxy flags; risk: its `ip_risk`;
 * - is_anonymous: the anonymizer database's is_anonymous or any of its flags, or a listed Tor exit
 *   (without an anonymizer database it is true for Tor exits and unknown otherwise);
 * - connection_type: the Connection-Type database's, as MaxMind gives it (unknown for an address
 *   it has no record of);
 * - the location (not a signal): a City database's coordinates, when its record names a city.
 * Private and reserved addresses are never looked up: only address, version and is_private.
 */
export async function createIpIntel (options: IpIntelOptions): Promise<IpIntel> {
  const hostingPaths = options.hostingAsnFiles ?? []
  const [country, asn, anonymous, connectionType, tor, hosting] = await Promise.all([
    options.countryDb === undefined ? undefined : openMmdbFile(options.countryDb, IpDataRole.COUNTRY),
    options.asnDb === undefined ? undefined : openMmdbFile(options.asnDb, IpDataRole.ASN, asnBuildHint(options.asnDb)),
    options.anonymousDb === undefined ? undefined : openMmdbFile(options.anonymousDb, IpDataRole.ANONYMOUS),
    options.connectionTypeDb === undefined ? undefined : openMmdbFile(options.connectionTypeDb, IpDataRole.CONNECTION_TYPE),
    options.torExitsFile === undefined ? undefined : loadTorExits(options.torExitsFile),
    hostingPaths.length === 0 ? undefined : loadHostingLists(hostingPaths)
  ])

  const files: IpDataFile[] = []
  if (options.countryDb !== undefined) files.push({ role: IpDataRole.COUNTRY, path: options.countryDb })
  if (options.asnDb !== undefined) files.push({ role: IpDataRole.ASN, path: options.asnDb })
  if (options.anonymousDb !== undefined) files.push({ role: IpDataRole.ANONYMOUS, path: options.anonymousDb })
  if (options.connectionTypeDb !== undefined) files.push({ role: IpDataRole.CONNECTION_TYPE, path: options.connectionTypeDb })
  if (options.torExitsFile !== undefined) files.push({ role: IpDataRole.TOR_EXITS, path: options.torExitsFile })
  for (const path of hostingPaths) files.push({ role: IpDataRole.HOSTING, path })

  // the whole loaded state is one immutable object: a reload builds a new one and assigns it
  let snapshot: Snapshot | undefined = snapshotOf({ country, asn, anonymous, connectionType, tor, hosting })
  const refused = new Map<string, RefusedReplacement>()
  let queue: Promise<unknown> = Promise.resolve()

  async function reloadNow (paths: readonly string[] | undefined): Promise<ReloadOutcome[]> {
    const wanted = paths === undefined ? undefined : new Set(paths.map((p) => resolve(p)))
    const targets = files.filter((f) => wanted === undefined || wanted.has(resolve(f.path)))
    const loaded = await Promise.all(targets.map(async (file) => {
      try {
        return { file, data: await loadOne(file), error: undefined }
      } catch (err) {
        return { file, data: undefined, error: err instanceof Error ? err.message : String(err) }
      }
    }))
    if (snapshot === undefined) return []
    const next: LoadedData = { ...snapshot.data }
    const outcomes: ReloadOutcome[] = []
    const hostingFiles = new Map<string, HostingFile>()
    for (const { file, data, error } of loaded) {
      if (data === undefined) {
        const message = error ?? 'not loaded'
        refused.set(file.path, { role: file.role, path: file.path, at: new Date().toISOString(), error: message })
        outcomes.push({ role: file.role, path: file.path, status: 'refused', error: message })
        continue
      }
      refused.delete(file.path)
      if (data.kind === 'hosting') hostingFiles.set(file.path, data.value)
      else if (data.kind === 'tor') next.tor = data.value
      else next[data.kind] = data.value
      outcomes.push({ role: file.role, path: file.path, status: 'reloaded', source: data.value.source })
    }
    if (hostingFiles.size > 0 && next.hosting !== undefined) {
      next.hosting = mergeHostingFiles(next.hosting.files.map((f) => hostingFiles.get(f.source.path) ?? f))
    }
    if (outcomes.some((o) => o.status === 'reloaded')) snapshot = snapshotOf(next)
    return outcomes
  }

  const lookupNormalized = (ip: NormalizedIp): IpSignals => lookupIn(snapshot?.data, ip).signals
  const lookupWithLocation = (text: string): IpLookup => {
    const current = snapshot
    const known = current?.recent.get(text)
    if (known !== undefined) return known
    const ip = normalizeIp(text)
    if (!ip.ok) throw invalidIpError(ip)
    // shared by every charge from this address: frozen, so that no caller changes it for the others
    const found = lookupIn(current?.data, ip)
    const entry: IpLookup = Object.freeze({ signals: Object.freeze(found.signals), location: found.location === undefined ? undefined : Object.freeze(found.location) })
    current?.recent.set(text, entry)
    return entry
  }
  return {
    lookup: (text: string): IpSignals => lookupWithLocation(text).signals,
    lookupWithLocation,
    lookupNormalized,
    get locates () { return snapshot?.locates ?? false },
    get sources () { return snapshot?.sources ?? [] },
    files,
    get refused () { return [...refused.values()] },
    reload (paths?: readonly string[]): Promise<ReloadOutcome[]> {
      const run = queue.then(() => reloadNow(paths))
      queue = run.catch(() => undefined)
      return run
    },
    async close () {
      snapshot = undefined
      await queue
    }
  }
}

type LoadedOne =
  | { kind: 'country' | 'asn' | 'anonymous' | 'connectionType', value: MmdbFile }
  | { kind: 'tor', value: TorExitList }
  | { kind: 'hosting', value: HostingFile }

async function loadOne (file: IpDataFile): Promise<LoadedOne> {
  switch (file.role) {
    case IpDataRole.COUNTRY: return { kind: 'country', value: await openMmdbFile(file.path, file.role) }
    case IpDataRole.ASN: return { kind: 'asn', value: await openMmdbFile(file.path, file.role, asnBuildHint(file.path)) }
    case IpDataRole.ANONYMOUS: return { kind: 'anonymous', value: await openMmdbFile(file.path, file.role) }
    case IpDataRole.CONNECTION_TYPE: return { kind: 'connectionType', value: await openMmdbFile(file.path, file.role) }
    case IpDataRole.TOR_EXITS: return { kind: 'tor', value: await loadTorExits(file.path) }
    case IpDataRole.HOSTING: return { kind: 'hosting', value: await loadHostingFile(file.path) }
  }
}

interface LoadedData {
  country: MmdbFile | undefined
  asn: MmdbFile | undefined
  anonymous: MmdbFile | undefined
  connectionType: MmdbFile | undefined
  tor: TorExitList | undefined
  hosting: HostingList | undefined
}

interface Snapshot {
  data: LoadedData
  sources: IpDataSource[]
  /** the signals of recently looked-up addresses (as sent), with this data: a reload starts afresh */
  recent: GenerationCache<string, IpLookup>
  /** see IpIntel.locates */
  locates: boolean
}

const CITY_DATABASE = /City|Enterprise/i

/** addresses whose signals are kept per data load: shoppers come back, and bots hammer from few addresses */
const RECENT_ADDRESSES = 10_000

function snapshotOf (data: LoadedData): Snapshot {
  const sources: IpDataSource[] = []
  for (const db of [data.country, data.asn, data.anonymous, data.connectionType]) if (db !== undefined) sources.push(db.source)
  if (data.tor !== undefined) sources.push(data.tor.source)
  if (data.hosting !== undefined) sources.push(...data.hosting.sources)
  return { data, sources, recent: new GenerationCache(RECENT_ADDRESSES), locates: data.country !== undefined && CITY_DATABASE.test(data.country.databaseType) }
}

function lookupIn (data: LoadedData | undefined, ip: NormalizedIp): { signals: IpSignals, location: GeoPoint | undefined } {
  const signals: IpSignals = { address: ip.address, version: ip.version, is_private: ip.isPrivate }
  if (ip.isPrivate || data === undefined) return { signals, location: undefined }

  let location: GeoPoint | undefined
  const countryRecord = data.country?.lookup(ip)
  if (countryRecord != null) {
    const country = countryFromRecord(countryRecord)
    if (country !== undefined) signals.country = country
    location = locationFromRecord(countryRecord)
  }

  const asnRecord = data.asn?.lookup(ip)
  if (asnRecord != null) {
    const { asn, as_org: org } = asnFromRecord(asnRecord)
    if (asn !== undefined) signals.asn = asn
    if (org !== undefined) signals.as_org = org
  }

  // tri-state OR: true when a source says so, false when a source could answer and none did
  let hosting: boolean | undefined
  let tor: boolean | undefined
  let anonymous: boolean | undefined

  if (data.hosting !== undefined) {
    if (signals.asn !== undefined) hosting = data.hosting.hasAsn(signals.asn)
    if (data.hosting.inNetworks !== undefined) hosting = hosting === true || data.hosting.inNetworks(ip)
  }
  if (data.tor !== undefined) {
    tor = data.tor.has(ip.address)
    // a Tor list alone knows nothing of VPNs and proxies: it can say anonymous, never "not anonymous"
    if (tor) anonymous = true
  }
  if (data.anonymous !== undefined) {
    const record = data.anonymous.lookup(ip)
    if (record !== undefined) {
      const flags = anonymizerFromRecord(record, data.anonymous.databaseType)
      hosting = hosting === true || flags.is_hosting_provider
      tor = tor === true || flags.is_tor_exit_node
      anonymous = anonymous === true || flags.is_anonymous
      signals.is_vpn = flags.is_anonymous_vpn
      signals.is_proxy = flags.is_public_proxy
      signals.is_residential_proxy = flags.is_residential_proxy
      if (flags.ip_risk !== undefined) signals.risk = flags.ip_risk
    }
  }
  if (tor !== undefined) signals.is_tor = tor
  if (hosting !== undefined) signals.is_hosting = hosting
  if (anonymous !== undefined) signals.is_anonymous = anonymous

  const connectionRecord = data.connectionType?.lookup(ip)
  if (connectionRecord != null) {
    const connectionType = connectionTypeFromRecord(connectionRecord)
    if (connectionType !== undefined) signals.connection_type = connectionType
  }
  return { signals, location }
}

/** What to add to a load error of the ASN database: the bundled one is built at setup. */
export function asnBuildHint (path: string, bundledAsnDb: string | undefined = safeBundledAsnPath()): string {
  return bundledAsnDb !== undefined && resolve(path) === resolve(bundledAsnDb)
    ? ' (the bundled ASN database is built at setup: run `npm run data:build`)'
    : ''
}

function safeBundledAsnPath (): string | undefined {
  try {
    return bundledDataPaths().asnDb
  } catch {
    return undefined
  }
}
