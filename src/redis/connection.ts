import { readFileSync } from 'node:fs'
import { DEFAULT_REDIS_PORT, parseRedisAddress, RedisAddressError } from './address.js'
import type { RedisAddress } from './address.js'

/** Settings that apply to the data nodes whatever the topology (the RISKGATE_REDIS_* beside the addresses). */
export interface RedisSharedSettings {
  /** RISKGATE_REDIS_USERNAME: the data nodes' ACL user, when no URL carries it */
  username?: string
  /** RISKGATE_REDIS_PASSWORD: the data nodes' password, when no URL carries it */
  password?: string
  /** RISKGATE_REDIS_DB: the database of a standalone or Sentinel-managed Redis, when no URL names it */
  db?: number
  /** RISKGATE_REDIS_TLS_CA_FILE: PEM certificates trusted for rediss:// (instead of the system's) */
  tlsCaFile?: string
}

/**
 * Where Redis is: a standalone Redis (RISKGATE_REDIS_URL), the seed nodes of a Redis Cluster
 * (RISKGATE_REDIS_CLUSTER_NODES) or the sentinels of a Sentinel-managed master
 * (RISKGATE_REDIS_SENTINELS, RISKGATE_REDIS_SENTINEL_NAME), with the shared settings.
 */
export type RedisConnection = (
  | { url: string }
  | { clusterNodes: string[] }
  | { sentinels: string[], sentinelName: string }
) & RedisSharedSettings

export interface RedisAuth {
  username?: string
  password?: string
}

export interface RedisTls {
  /** PEM certificates to trust; absent: the system's */
  ca?: string
}

export interface Endpoint { host: string, port: number }

/** A connection with every address parsed and every setting checked against the others. */
export type ResolvedRedis =
  | { mode: 'standalone', endpoint: Endpoint, auth: RedisAuth, db: number, tls?: RedisTls }
  | { mode: 'cluster', nodes: Endpoint[], auth: RedisAuth, tls?: RedisTls }
  | {
    mode: 'sentinel'
    sentinels: Endpoint[]
    /** the master's name, as the sentinels know it */
    name: string
    /** the sentinels' own credentials (from the URL forms of RISKGATE_REDIS_SENTINELS) */
    sentinelAuth: RedisAuth
    /** the master's (and its replicas') */
    auth: RedisAuth
    db: number
    /** TLS to the sentinels and to the master alike */
    tls?: RedisTls
  }

export const RedisMode = {
  STANDALONE: 'standalone',
  CLUSTER: 'cluster',
  SENTINEL: 'sentinel'
} as const

export const DEFAULT_SENTINEL_PORT = 26379

/** A setting that cannot be used as written; the message never carries a password. */
export class RedisSettingsError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RedisSettingsError'
  }
}

function parseList (setting: string, entries: readonly string[], defaultPort: number): RedisAddress[] {
  const trimmed = entries.map((e) => e.trim())
  if (trimmed.length === 0 || trimmed.some((e) => e === '')) throw new RedisSettingsError(`${setting}: a comma-separated list of addresses, without empty entries`)
  return trimmed.map((entry, i) => {
    try {
      return parseRedisAddress(entry, defaultPort)
    } catch (err) {
      if (err instanceof RedisAddressError) throw new RedisSettingsError(`${setting} entry ${i + 1}: ${err.message}`)
      throw err
    }
  })
}

function isUrlEntry (entry: string): boolean {
  return /^rediss?:\/\//i.test(entry.trim())
}

/**
 * The credentials and TLS of a list: the entries that carry credentials must carry the same ones,
 * and the URL entries must all be redis:// or all rediss://; a host:port entry takes what the
 * others say.
 */
function agreeingList (setting: string, entries: readonly string[], addresses: readonly RedisAddress[]): { auth: RedisAuth, tls: boolean } {
  const withCredentials = addresses.filter((a) => a.username !== undefined || a.password !== undefined)
  const first = withCredentials[0]
  if (first !== undefined && withCredentials.some((a) => a.username !== first.username || a.password !== first.password)) {
    throw new RedisSettingsError(`${setting}: the entries carry different credentials; give every node the same user and password (or only one entry)`)
  }
  const schemes = new Set(addresses.filter((_, i) => isUrlEntry(entries[i] as string)).map((a) => a.tls))
  if (schemes.size > 1) throw new RedisSettingsError(`${setting}: redis:// and rediss:// entries mixed; TLS must be the same for every node`)
  return { auth: authOf(first), tls: schemes.has(true) }
}

function authOf (address: { username?: string, password?: string } | undefined): RedisAuth {
  const auth: RedisAuth = {}
  if (address?.username !== undefined) auth.username = address.username
  if (address?.password !== undefined) auth.password = address.password
  return auth
}

/** the URL's credentials, or the shared ones; both is ambiguous */
function dataAuth (fromUrl: RedisAuth, settings: RedisSharedSettings, where: string): RedisAuth {
  const shared = authOf(settings)
  const inUrl = fromUrl.username !== undefined || fromUrl.password !== undefined
  const inSettings = shared.username !== undefined || shared.password !== undefined
  if (inUrl && inSettings) throw new RedisSettingsError(`credentials both in ${where} and in RISKGATE_REDIS_USERNAME / RISKGATE_REDIS_PASSWORD: give them once`)
  const auth = inUrl ? fromUrl : shared
  if (auth.username !== undefined && auth.password === undefined) throw new RedisSettingsError(`a Redis user name needs its password (${inUrl ? where : 'RISKGATE_REDIS_PASSWORD'})`)
  return auth
}

function tlsOf (enabled: boolean, settings: RedisSharedSettings): RedisTls | undefined {
  if (settings.tlsCaFile === undefined) return enabled ? {} : undefined
  if (!enabled) throw new RedisSettingsError('RISKGATE_REDIS_TLS_CA_FILE is set but no address is rediss:// (TLS)')
  let ca: string
  try {
    ca = readFileSync(settings.tlsCaFile, 'utf8')
  } catch (err) {
    throw new RedisSettingsError(`RISKGATE_REDIS_TLS_CA_FILE cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new RedisSettingsError('RISKGATE_REDIS_TLS_CA_FILE holds no PEM certificate')
  return { ca }
}

function checkDb (db: number | undefined, where: string): void {
  if (db !== undefined && (!Number.isInteger(db) || db < 0 || db > 65535)) throw new RedisSettingsError(`${where}: the database must be a number from 0`)
}

/**
 * Parses and checks a connection: every address, credentials and TLS that agree, a database only
 * where one exists (a Cluster has only database 0), the CA file readable. Throws
 * RedisSettingsError, whose message names the setting and never a password.
 */
export function resolveRedisConnection (connection: RedisConnection): ResolvedRedis {
  checkDb(connection.db, 'RISKGATE_REDIS_DB')
  if ('url' in connection) {
    if (!isUrlEntry(connection.url)) throw new RedisSettingsError('RISKGATE_REDIS_URL: a redis:// or rediss:// URL')
    const [address] = parseList('RISKGATE_REDIS_URL', [connection.url], DEFAULT_REDIS_PORT)
    if (address === undefined) throw new RedisSettingsError('RISKGATE_REDIS_URL: a redis:// or rediss:// URL')
    if (address.db !== undefined && connection.db !== undefined) throw new RedisSettingsError('a database both in RISKGATE_REDIS_URL and in RISKGATE_REDIS_DB: give it once')
    const tls = tlsOf(address.tls, connection)
    return {
      mode: RedisMode.STANDALONE,
      endpoint: { host: address.host, port: address.port },
      auth: dataAuth(authOf(address), connection, 'RISKGATE_REDIS_URL'),
      db: address.db ?? connection.db ?? 0,
      ...(tls !== undefined ? { tls } : {})
    }
  }
  if ('clusterNodes' in connection) {
    const addresses = parseList('RISKGATE_REDIS_CLUSTER_NODES', connection.clusterNodes, DEFAULT_REDIS_PORT)
    const { auth, tls } = agreeingList('RISKGATE_REDIS_CLUSTER_NODES', connection.clusterNodes, addresses)
    if (addresses.some((a) => a.db !== undefined && a.db !== 0) || (connection.db !== undefined && connection.db !== 0)) {
      throw new RedisSettingsError('a Redis Cluster has only database 0: remove the database from RISKGATE_REDIS_CLUSTER_NODES / RISKGATE_REDIS_DB')
    }
    const tlsOptions = tlsOf(tls, connection)
    return {
      mode: RedisMode.CLUSTER,
      nodes: addresses.map((a) => ({ host: a.host, port: a.port })),
      auth: dataAuth(auth, connection, 'RISKGATE_REDIS_CLUSTER_NODES'),
      ...(tlsOptions !== undefined ? { tls: tlsOptions } : {})
    }
  }
  const name = connection.sentinelName.trim()
  if (name === '') throw new RedisSettingsError('RISKGATE_REDIS_SENTINEL_NAME: the name of the master, as the sentinels know it')
  const addresses = parseList('RISKGATE_REDIS_SENTINELS', connection.sentinels, DEFAULT_SENTINEL_PORT)
  const { auth: sentinelAuth, tls } = agreeingList('RISKGATE_REDIS_SENTINELS', connection.sentinels, addresses)
  if (addresses.some((a) => a.db !== undefined)) {
    throw new RedisSettingsError('RISKGATE_REDIS_SENTINELS: a sentinel has no database; the master\'s is RISKGATE_REDIS_DB')
  }
  if (sentinelAuth.username !== undefined && sentinelAuth.password === undefined) {
    throw new RedisSettingsError('RISKGATE_REDIS_SENTINELS: a sentinel user name needs its password')
  }
  const tlsOptions = tlsOf(tls, connection)
  return {
    mode: RedisMode.SENTINEL,
    sentinels: addresses.map((a) => ({ host: a.host, port: a.port })),
    name,
    sentinelAuth,
    auth: dataAuth({}, connection, 'RISKGATE_REDIS_SENTINELS'),
    db: connection.db ?? 0,
    ...(tlsOptions !== undefined ? { tls: tlsOptions } : {})
  }
}

const SHARED_SETTING_NAMES: Record<keyof RedisSharedSettings, string> = {
  username: 'RISKGATE_REDIS_USERNAME',
  password: 'RISKGATE_REDIS_PASSWORD',
  db: 'RISKGATE_REDIS_DB',
  tlsCaFile: 'RISKGATE_REDIS_TLS_CA_FILE'
}

/** The Redis part of the configuration: at most one of url, clusterNodes and sentinels. */
export interface RedisSettings extends RedisSharedSettings {
  /** RISKGATE_REDIS_URL */
  url?: string
  /** RISKGATE_REDIS_CLUSTER_NODES, split at commas */
  clusterNodes?: string[]
  /** RISKGATE_REDIS_SENTINELS, split at commas */
  sentinels?: string[]
  /** RISKGATE_REDIS_SENTINEL_NAME */
  sentinelName?: string
}

/**
 * The connection the settings describe, or null when they name no Redis. Throws
 * RedisSettingsError unless exactly one of a URL, Cluster nodes and sentinels (with the master's
 * name) is given, or when shared settings come without any of them.
 */
export function connectionOf (settings: RedisSettings): RedisConnection | null {
  const { url, clusterNodes, sentinels, sentinelName, ...shared } = settings
  const given = [
    url !== undefined && 'RISKGATE_REDIS_URL',
    clusterNodes !== undefined && 'RISKGATE_REDIS_CLUSTER_NODES',
    sentinels !== undefined && 'RISKGATE_REDIS_SENTINELS'
  ].filter((name) => name !== false)
  if (given.length > 1) throw new RedisSettingsError(`set one of RISKGATE_REDIS_URL, RISKGATE_REDIS_CLUSTER_NODES and RISKGATE_REDIS_SENTINELS, not ${given.join(' and ')}`)
  if (sentinelName !== undefined && sentinels === undefined) throw new RedisSettingsError('RISKGATE_REDIS_SENTINEL_NAME is set without RISKGATE_REDIS_SENTINELS')
  if (sentinels !== undefined && sentinelName === undefined) throw new RedisSettingsError('RISKGATE_REDIS_SENTINELS needs RISKGATE_REDIS_SENTINEL_NAME, the name of the master')
  const sharedSet = Object.entries(shared).filter(([, value]) => value !== undefined).map(([name]) => SHARED_SETTING_NAMES[name as keyof RedisSharedSettings] ?? name)
  if (url !== undefined) return { url, ...shared }
  if (clusterNodes !== undefined) return { clusterNodes, ...shared }
  if (sentinels !== undefined && sentinelName !== undefined) return { sentinels, sentinelName, ...shared }
  if (sharedSet.length > 0) throw new RedisSettingsError(`Redis settings (${sharedSet.join(', ')}) without RISKGATE_REDIS_URL, RISKGATE_REDIS_CLUSTER_NODES or RISKGATE_REDIS_SENTINELS`)
  return null
}
