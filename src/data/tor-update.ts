import { randomBytes } from 'node:crypto'
import { open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { normalizeIp } from '../signals/ip/normalize.js'
import { parseTorExits } from '../signals/ip/tor-exits.js'

export const TOR_BULK_EXIT_LIST_URL = 'https://check.torproject.org/torbulkexitlist'

export const TOR_UPDATE_DEFAULTS = {
  timeoutMs: 30_000,
  /** the real list is a few tens of KiB */
  maxBytes: 2 * 1024 * 1024,
  /** far below the size of the real list: fewer means a broken answer, not a quiet Tor network */
  minAddresses: 100
} as const

export interface TorUpdateOptions {
  url: string
  /** the list file to replace */
  out: string
  timeoutMs: number
  maxBytes: number
  minAddresses: number
  now?: () => Date
}

export const TorUpdateFailure = {
  /** nothing usable came back: network error, HTTP error status, timeout */
  DOWNLOAD: 'download',
  /** something came back, but it is not a bulk exit list (HTML, empty, garbage, too large, too few) */
  REFUSED: 'refused',
  /** the new file could not be written next to the old one */
  WRITE: 'write'
} as const
export type TorUpdateFailure = typeof TorUpdateFailure[keyof typeof TorUpdateFailure]

export type TorUpdateResult =
  | { ok: true, path: string, addresses: number, bytes: number, previous: number | undefined }
  | { ok: false, failure: TorUpdateFailure, message: string }

/**
 * Downloads the Tor Project's bulk exit list, checks it, and replaces `out` atomically: the new
 * list is written to a temporary file in the same folder, flushed to disk, then renamed over the
 * old one (a running riskgate reloads it). Whatever goes wrong, the old file is left as it was.
 */
export async function updateTorList (options: TorUpdateOptions): Promise<TorUpdateResult> {
  let body: Buffer
  try {
    const downloaded = await download(options.url, options.timeoutMs, options.maxBytes)
    if (!downloaded.ok) return { ok: false, failure: TorUpdateFailure.REFUSED, message: downloaded.message }
    body = downloaded.body
    if (/html/i.test(downloaded.contentType)) return { ok: false, failure: TorUpdateFailure.REFUSED, message: `the answer is ${downloaded.contentType}, not a plain address list` }
  } catch (err) {
    return { ok: false, failure: TorUpdateFailure.DOWNLOAD, message: describeDownloadError(err, options.timeoutMs) }
  }

  const checked = checkBulkExitList(body.toString('utf8'), options.minAddresses)
  if (!checked.ok) return { ok: false, failure: TorUpdateFailure.REFUSED, message: checked.message }

  const now = (options.now ?? (() => new Date()))()
  const text = [
    '# Tor bulk exit list',
    `# source: ${options.url}`,
    `# downloaded: ${now.toISOString()} by riskgate data update-tor`,
    `# addresses: ${checked.addresses.length}`,
    ...checked.addresses,
    ''
  ].join('\n')
  const previous = await countExisting(options.out)
  try {
    await writeFileAtomically(options.out, text)
  } catch (err) {
    return { ok: false, failure: TorUpdateFailure.WRITE, message: `cannot write ${options.out}: ${err instanceof Error ? err.message : String(err)}` }
  }
  return { ok: true, path: options.out, addresses: checked.addresses.length, bytes: Buffer.byteLength(text), previous }
}

/**
 * The bulk exit list format, strictly: every line that is not blank or a `#` comment is one IP
 * address; at least `minAddresses` of them. Refuses an empty body and HTML (a captive portal, an
 * error page, a rate-limit page). Addresses come back normalized and without duplicates.
 */
export function checkBulkExitList (text: string, minAddresses: number): { ok: true, addresses: string[] } | { ok: false, message: string } {
  if (text.trim() === '') return { ok: false, message: 'the answer is empty' }
  if (/^\s*</.test(text)) return { ok: false, message: 'the answer is an HTML or XML page, not an address list' }
  const seen = new Set<string>()
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string
    const hash = raw.indexOf('#')
    const line = (hash === -1 ? raw : raw.slice(0, hash)).trim()
    if (line === '') continue
    const ip = normalizeIp(line)
    // the content is not echoed: it came from the network
    if (!ip.ok) return { ok: false, message: `line ${i + 1} is not an IP address` }
    seen.add(ip.address)
  }
  if (seen.size < minAddresses) {
    return { ok: false, message: `only ${seen.size} address${seen.size === 1 ? '' : 'es'}, fewer than the ${minAddresses} required (--min-addresses)` }
  }
  return { ok: true, addresses: [...seen] }
}

type Downloaded = { ok: true, body: Buffer, contentType: string } | { ok: false, message: string }

class HttpStatusError extends Error {}

async function download (url: string, timeoutMs: number, maxBytes: number): Promise<Downloaded> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new TimeoutError()) }, timeoutMs)
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow', headers: { accept: 'text/plain' } })
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined)
      throw new HttpStatusError(`HTTP ${res.status}${res.statusText === '' ? '' : ` ${res.statusText}`}`)
    }
    const declared = Number(res.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => undefined)
      return { ok: false, message: `the answer is ${declared} bytes, over the ${maxBytes}-byte limit (--max-bytes)` }
    }
    const chunks: Buffer[] = []
    let size = 0
    if (res.body !== null) {
      const reader = res.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        size += value.byteLength
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined)
          return { ok: false, message: `the answer is over the ${maxBytes}-byte limit (--max-bytes)` }
        }
        chunks.push(Buffer.from(value))
      }
    }
    return { ok: true, body: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? '' }
  } finally {
    clearTimeout(timer)
  }
}

class TimeoutError extends Error {}

function describeDownloadError (err: unknown, timeoutMs: number): string {
  if (err instanceof HttpStatusError) return err.message
  if (err instanceof TimeoutError || (err as { cause?: unknown } | null)?.cause instanceof TimeoutError) {
    return `no complete answer within ${timeoutMs / 1000} s (--timeout)`
  }
  const cause = (err as { cause?: { code?: unknown, message?: unknown } } | null)?.cause
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined
  const message = err instanceof Error ? err.message : String(err)
  return detail === undefined ? message : `${message} (${detail})`
}

async function countExisting (path: string): Promise<number | undefined> {
  try {
    return parseTorExits(await readFile(path, 'utf8'), path).size
  } catch {
    return undefined
  }
}

/** Write beside, flush, rename over: a reader sees the old file or the new one, never a part. */
export async function writeFileAtomically (path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const handle = await open(temporary, 'wx', 0o644)
  try {
    try {
      await handle.writeFile(content)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (err) {
    await unlink(temporary).catch(() => undefined)
    throw err
  }
  // make the rename itself durable (best effort: not every platform can open a folder)
  try {
    const folder = await open(dirname(path), 'r')
    try { await folder.sync() } finally { await folder.close() }
  } catch {}
}
