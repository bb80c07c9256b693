/**
 * One HTTP GET of a data file into memory, with a deadline for the whole answer (body included),
 * a size limit (checked against Content-Length and while reading), redirects followed, and
 * optional basic auth. Errors say what failed without echoing credentials or the answer.
 */
export interface DownloadOptions {
  timeoutMs: number
  maxBytes: number
  /** HTTP basic auth; dropped by fetch on a redirect to another origin */
  basicAuth?: { user: string, password: string }
  accept?: string
  /** bytes received so far, against the declared length when there is one */
  onProgress?: (received: number, total: number | undefined) => void
}

export interface Downloaded {
  body: Buffer
  /** where the answer came from after redirects */
  url: string
  headers: Headers
}

export const DownloadFailure = {
  /** no connection, DNS failure, connection dropped */
  NETWORK: 'network',
  /** no complete answer within the deadline */
  TIMEOUT: 'timeout',
  /** an HTTP status other than 2xx */
  HTTP: 'http',
  /** the answer is larger than allowed */
  TOO_LARGE: 'too_large'
} as const
export type DownloadFailure = typeof DownloadFailure[keyof typeof DownloadFailure]

export class DownloadError extends Error {
  readonly failure: DownloadFailure
  readonly status: number | undefined
  constructor (failure: DownloadFailure, message: string, status?: number) {
    super(message)
    this.name = 'DownloadError'
    this.failure = failure
    this.status = status
  }
}

class Timeout extends Error {}

export async function download (url: string, options: DownloadOptions): Promise<Downloaded> {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new Timeout()) }, options.timeoutMs)
  const headers: Record<string, string> = { 'user-agent': 'riskgate-data-update' }
  if (options.accept !== undefined) headers.accept = options.accept
  if (options.basicAuth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}`
  }
  const where = describeUrl(url)
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'follow', headers })
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined)
      throw new DownloadError(DownloadFailure.HTTP, `${where}: HTTP ${res.status}${res.statusText === '' ? '' : ` ${res.statusText}`}`, res.status)
    }
    const declared = res.headers.get('content-length') === null ? undefined : Number(res.headers.get('content-length'))
    const total = declared !== undefined && Number.isFinite(declared) ? declared : undefined
    if (total !== undefined && total > options.maxBytes) {
      await res.body?.cancel().catch(() => undefined)
      throw new DownloadError(DownloadFailure.TOO_LARGE, `${where}: the answer is ${total} bytes, over the ${options.maxBytes}-byte limit`)
    }
    const chunks: Buffer[] = []
    let size = 0
    if (res.body !== null) {
      const reader = res.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        size += value.byteLength
        if (size > options.maxBytes) {
          await reader.cancel().catch(() => undefined)
          throw new DownloadError(DownloadFailure.TOO_LARGE, `${where}: the answer is over the ${options.maxBytes}-byte limit`)
        }
        chunks.push(Buffer.from(value))
        options.onProgress?.(size, total)
      }
    }
    return { body: Buffer.concat(chunks), url: res.url === '' ? url : res.url, headers: res.headers }
  } catch (err) {
    throw asDownloadError(err, where, options.timeoutMs)
  } finally {
    clearTimeout(timer)
  }
}

/** scheme, host and path: never the query (it may carry a token) nor user info */
export function describeUrl (url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return 'the URL'
  }
}

function asDownloadError (err: unknown, where: string, timeoutMs: number): DownloadError {
  if (err instanceof DownloadError) return err
  const cause = (err as { cause?: unknown } | null)?.cause
  if (err instanceof Timeout || cause instanceof Timeout) {
    return new DownloadError(DownloadFailure.TIMEOUT, `${where}: no complete answer within ${timeoutMs / 1000} s (--timeout)`)
  }
  const detail = cause as { code?: unknown, message?: unknown } | undefined
  const code = typeof detail?.code === 'string' ? detail.code : typeof detail?.message === 'string' ? detail.message : undefined
  const message = err instanceof Error ? err.message : String(err)
  return new DownloadError(DownloadFailure.NETWORK, `${where}: ${message}${code === undefined ? '' : ` (${code})`}`)
}
