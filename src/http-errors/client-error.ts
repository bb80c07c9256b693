import { STATUS_CODES, maxHeaderSize } from 'node:http'
import type { Duplex } from 'node:stream'
import { statusResponse } from './error-response.js'
import type { ErrorResponse } from './error-response.js'

/**
 * What Node's HTTP parser refuses before any route sees the request (Fastify's `clientErrorHandler`):
 * headers over the size limit, a request not received in time, anything else that is not HTTP.
 */
export function clientErrorResponse (code: string | undefined): ErrorResponse {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return statusResponse(431, `the request line and headers are larger than ${maxHeaderSize / 1024} KiB`)
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return statusResponse(408)
    default:
      return statusResponse(400, 'the request is not valid HTTP')
  }
}

/** The raw HTTP/1.1 answer: the connection closes after it (the parser cannot go on after the fault). */
export function rawErrorResponse (response: ErrorResponse): string {
  const json = JSON.stringify(response.body)
  return `HTTP/1.1 ${response.statusCode} ${STATUS_CODES[response.statusCode] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    'Connection: close\r\n\r\n' + json
}

interface Log { debug: (obj: object, msg: string) => void }

/**
 * Answers a connection's parse error in the one error shape, never quoting what was received, as
 * Node would (an answer only when no response of this connection has started), then closes it.
 */
export function onClientError (this: { log: Log }, err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  this.log.debug({ err: { code: err.code } }, 'client error')
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage
  if (socket.writable && inFlight?.headersSent !== true) socket.write(rawErrorResponse(clientErrorResponse(err.code)))
  socket.destroy(err)
}
