/** One Redis endpoint as written in a setting: `host:port`, `[ipv6]:port` or a redis:// / rediss:// URL. */
export interface RedisAddress {
  host: string
  port: number
  username?: string
  password?: string
  /** rediss:// */
  tls: boolean
  /** the URL's /db path, when it has one */
  db?: number
}

export const DEFAULT_REDIS_PORT = 6379

/**
 * The entry as it may be shown in an error message: whatever stands before the last `@` (user
 * name and password, even malformed) is replaced by `***`.
 */
export function redactRedisAddress (text: string): string {
  const at = text.lastIndexOf('@')
  if (at < 0) return text
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? ''
  return `${scheme}***${text.slice(at)}`
}

export class RedisAddressError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RedisAddressError'
  }
}

/**
 * Parses `host:port`, `[ipv6]:port`, `redis://[user[:password]@]host[:port][/db]` or the same with
 * `rediss://` (TLS). The port of a URL defaults to 6379; a bare entry must name it. Errors name the
 * entry with its credentials redacted. `defaultPort` is the port a URL without one gets.
 */
export function parseRedisAddress (entry: string, defaultPort = DEFAULT_REDIS_PORT): RedisAddress {
  const text = entry.trim()
  const shown = redactRedisAddress(text)
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
  if (isUrl && !/^rediss?:\/\//i.test(text)) throw new RedisAddressError(`${shown}: only redis:// and rediss:// URLs are understood`)
  if (!isUrl && !/^(\[[0-9a-f:.]+\]|[^\s/@[\]:]+):[0-9]+$/i.test(text)) {
    throw new RedisAddressError(`${shown}: expected host:port, [ipv6]:port or a redis:// or rediss:// URL`)
  }
  let url: URL
  try {
    url = new URL(isUrl ? text : `redis://${text}`)
  } catch {
    throw new RedisAddressError(`${shown}: not a valid address`)
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  if (host === '') throw new RedisAddressError(`${shown}: no host`)
  const port = url.port === '' ? defaultPort : Number(url.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisAddressError(`${shown}: the port must be 1 to 65535`)
  if (url.search !== '' || url.hash !== '') throw new RedisAddressError(`${shown}: no query or fragment is understood`)
  const address: RedisAddress = { host, port, tls: url.protocol.toLowerCase() === 'rediss:' }
  if (url.username !== '') address.username = decodeURIComponent(url.username)
  if (url.password !== '') address.password = decodeURIComponent(url.password)
  const path = url.pathname.replace(/^\//, '')
  if (path !== '') {
    if (!/^[0-9]{1,5}$/.test(path)) throw new RedisAddressError(`${shown}: the path must be a database number`)
    address.db = Number(path)
  }
  return address
}

/** host:port (IPv6 in brackets) for messages and logs: never carries credentials */
export function describeAddress (address: { host: string, port: number }): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
