import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js'
import type { PendingEvent } from './events.js'
import { NODE_TIMERS } from './timers.js'
import type { Timers } from './timers.js'

/** How one delivery attempt ended. */
export type AttemptResult =
  | { ok: true, status: number }
  | { ok: false, reason: 'status', status: number }
  | { ok: false, reason: 'network' | 'timeout' }

/** Sends one event once, signed at `atMs`; never throws. */
export type Sender = (event: PendingEvent, atMs: number) => Promise<AttemptResult>

export interface SenderOptions {
  url: string
  secret: string
  userAgent: string
  /** an attempt without a complete answer (status and headers) by then fails as a timeout */
  timeoutMs?: number
  timers?: Timers
}

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 5_000

/**
 * POSTs the event's body to the merchant's URL with its signature. A 2xx answer is a delivery;
 * anything else (another status, a redirect, which is not followed, a network error, no answer
 * within the timeout) is a failed attempt. The answer's body is not read.
 */
export function createSender (options: SenderOptions): Sender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS
  const timers = options.timers ?? NODE_TIMERS
  return async (event, atMs) => {
    const controller = new AbortController()
    const timer = timers.setTimeout(() => { controller.abort() }, timeoutMs)
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': options.userAgent,
          [EVENT_ID_HEADER]: event.id,
          [SIGNATURE_HEADER]: signatureHeader(options.secret, Math.floor(atMs / 1000), event.body)
        },
        body: event.body
      })
      await response.body?.cancel().catch(() => {})
      const { status } = response
      return status >= 200 && status < 300 ? { ok: true, status } : { ok: false, reason: 'status', status }
    } catch {
      return { ok: false, reason: controller.signal.aborted ? 'timeout' : 'network' }
    } finally {
      timers.clearTimeout(timer)
    }
  }
}
