/**
 * A fixed number of POST /v1/score requests, as fast as the server answers them: HTTP/1.1 over
 * `connections` keep-alive sockets, each with up to `pipelining` requests in flight. A minimal
 * client (requests written as text, answers read by status line and Content-Length) that costs
 * this process a fraction of what a general one does, so that on a small machine the server, not
 * the load generator, sets the pace of the phases that score hundreds of thousands of charges.
 */
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import type { BodyOf } from './load.js'
import { HOST } from './processes.js'

export interface PipelinedOptions {
  port: number
  body: BodyOf
  amount: number
  connections: number
  pipelining: number
  headers: Record<string, string>
  /** asked before each request is sent: true stops the run once the requests in flight are answered */
  stop?: () => boolean
  /** kept up to date with the answers received so far */
  progress?: { answered: number }
}

export interface PipelinedResult {
  /** 2xx answers */
  ok: number
  non2xx: number
  errors: number
  /** status and start of the body of the first non-2xx answer, for the error message */
  firstNon2xx?: string
  /** requests sent (fewer than `amount` when stopped) */
  sent: number
}

const HEADER_END = Buffer.from('\r\n\r\n')

export async function runPipelined (options: PipelinedOptions): Promise<PipelinedResult> {
  const extra = Object.entries(options.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  const head = `POST /v1/score HTTP/1.1\r\nhost: ${HOST}:${options.port}\r\ncontent-type: application/json\r\n${extra}content-length: `
  const result: PipelinedResult = { ok: 0, non2xx: 0, errors: 0, sent: 0 }
  let next = 0
  let answered = 0
  const connections = Math.max(1, Math.min(options.connections, options.amount))

  return await new Promise<PipelinedResult>((resolve) => {
    const sockets: Socket[] = []
    let finished = false
    const finish = (): void => {
      if (finished) return
      finished = true
      for (const socket of sockets) socket.destroy()
      resolve(result)
    }
    let stopped = false
    const answer = (): void => {
      answered++
      if (options.progress !== undefined) options.progress.answered = answered
      if (answered >= (stopped ? next : options.amount)) finish()
    }

    for (let c = 0; c < connections; c++) {
      const socket = connect(options.port, HOST)
      socket.setNoDelay(true)
      sockets.push(socket)
      let inFlight = 0
      let pending: Buffer = Buffer.alloc(0)
      const send = (): void => {
        let text = ''
        if (!stopped && options.stop?.() === true) stopped = true
        const last = stopped ? next : options.amount
        while (inFlight < options.pipelining && next < last) {
          const body = options.body(next++)
          text += `${head}${Buffer.byteLength(body)}\r\n\r\n${body}`
          inFlight++
        }
        if (text !== '') socket.write(text)
        result.sent = next
        if (stopped && answered >= next) finish()
      }
      socket.once('connect', send)
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
        let at = 0
        for (;;) {
          const end = pending.indexOf(HEADER_END, at)
          if (end < 0) break
          const header = pending.toString('latin1', at, end)
          const length = /\r\ncontent-length: *(\d+)/i.exec(header)
          if (length === null) {
            // no Content-Length (chunked): this client cannot read it
            result.errors++
            socket.destroy()
            return
          }
          const bodyEnd = end + 4 + Number(length[1])
          if (bodyEnd > pending.length) break
          const status = Number(header.slice(9, 12))
          if (status >= 200 && status < 300) result.ok++
          else {
            result.non2xx++
            result.firstNon2xx ??= `${header.split('\r\n')[0] ?? ''} ${pending.toString('utf8', end + 4, Math.min(bodyEnd, end + 4 + 300))}`
          }
          at = bodyEnd
          inFlight--
          answer()
        }
        pending = at === 0 ? pending : pending.subarray(at)
        send()
      })
      // a socket that fails or closes before the end: what was not answered is an error, and the
      // run is over (its figures would be of something else)
      const lost = (): void => {
        if (finished) return
        result.errors += (stopped ? next : options.amount) - answered
        finish()
      }
      socket.on('error', lost)
      socket.on('close', lost)
    }
  })
}
