import { Agent as HttpAgent, request as httpRequest } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
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

export interface HttpSender {
  send: Sender
  /** closes the kept-alive connections (at shutdown: none keeps the process alive) */
  close: () => void
}

export interface SenderOptions {
  url: string
  secret: string
  userAgent: string
  /** an attempt without an answer (its status) by then fails as a timeout */
  timeoutMs?: number
  timers?: Timers
}

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 5_000
/** what is read of an answer's body at most (it is not used): beyond it the connection is closed */
const MAX_ANSWER_BYTES = 64 * 1024

/**
 * POSTs an event's body to the merchant's URL with its signature, over kept-alive connections of
 * its own. A 2xx answer is a delivery; anything else (another status, a redirect, which is not
 * followed, a network error, no answer within the timeout) is a failed attempt.
 */
export function createSender (options: SenderOptions): HttpSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS
  const timers = options.timers ?? NODE_TIMERS
  const target = new URL(options.url)
  const https = target.protocol === 'https:'
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 16 }) : new HttpAgent({ keepAlive: true, maxSockets: 16 })
  const request = https ? httpsRequest : httpRequest

  const send: Sender = async (event, atMs) => await new Promise<AttemptResult>((resolve) => {
    let done = false
    const body = Buffer.from(event.body, 'utf8')
    const finish = (result: AttemptResult): void => {
      if (done) return
      done = true
      timers.clearTimeout(timer)
      resolve(result)
    }
    const req = request(target, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'user-agent': options.userAgent,
        [EVENT_ID_HEADER]: event.id,
        [SIGNATURE_HEADER]: signatureHeader(options.secret, Math.floor(atMs / 1000), body)
      }
    }, (res) => {
      const status = res.statusCode ?? 0
      let read = 0
      res.on('data', (chunk: Buffer) => {
        read += chunk.length
        if (read > MAX_ANSWER_BYTES) res.destroy()
      })
      res.on('error', () => {})
      finish(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, reason: 'status', status })
    })
    const timer = timers.setTimeout(() => {
      finish({ ok: false, reason: 'timeout' })
      req.destroy()
    }, timeoutMs)
    req.on('error', () => { finish({ ok: false, reason: 'network' }) })
    req.end(body)
  })

  return { send, close: () => { agent.destroy() } }
}
