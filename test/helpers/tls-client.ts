import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { connect } from 'node:tls'
import type { ConnectionOptions } from 'node:tls'
import type { CertFiles } from './certificates.js'

export const HOST = '127.0.0.1'

/** What a TLS handshake gave: the protocol, cipher and server certificate, or the error that ended it. */
export type Handshake =
  | { ok: true, protocol: string | null, cipher: string, serverSerial: string }
  | { ok: false, code: string, message: string }

/** A handshake with the server at `port` (trusting `ca`), closed at once. */
export async function handshake (port: number, ca: string, options: ConnectionOptions = {}): Promise<Handshake> {
  return await new Promise((resolve) => {
    const socket = connect({ host: HOST, port, ca: readFileSync(ca), ...options })
    socket.once('secureConnect', () => {
      const result: Handshake = { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name, serverSerial: socket.getPeerCertificate().serialNumber }
      socket.end()
      resolve(result)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => { resolve({ ok: false, code: err.code ?? '', message: err.message }) })
  })
}

export interface HttpsAnswer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/**
 * One HTTPS request on a fresh connection (no agent), with a client certificate when given.
 * Rejects with the connection's error when the server refuses the handshake.
 */
export async function httpsRequest (port: number, ca: string, options: {
  path: string
  method?: string
  headers?: Record<string, string>
  body?: string
  client?: CertFiles
}): Promise<HttpsAnswer> {
  return await new Promise((resolve, reject) => {
    const req = request({
      host: HOST,
      port,
      path: options.path,
      method: options.method ?? 'GET',
      headers: options.headers,
      ca: readFileSync(ca),
      ...(options.client !== undefined ? { cert: readFileSync(options.client.cert), key: readFileSync(options.client.key) } : {}),
      agent: false
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.once('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
      res.once('error', reject)
    })
    req.once('error', reject)
    req.end(options.body)
  })
}
