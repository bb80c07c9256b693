/**
 * Open-loop load past saturation: request i is sent at start + i / rate whatever the server does,
 * over up to `connections` keep-alive connections (requests wait for a free one when all are busy:
 * that wait counts in their latency, it is the server's doing). Unlike bench/paced-load.ts every
 * answer is kept by status, 503s included, and nothing fails on a non-2xx: this is for a server
 * that is expected to refuse some of the requests.
 */
import { Agent, request } from 'node:http'
import type { BodyOf } from './load.js'
import { HOST } from './processes.js'

export interface OpenLoopOptions {
  port: number
  body: BodyOf
  rate: number
  connections: number
  durationSeconds: number
  headers: Record<string, string>
  /** a request without an answer after this long counts as an error (ms) */
  timeoutMs: number
}

export interface OpenLoopResult {
  /** latencies (ms) of the 2xx answers */
  answered: number[]
  /** latencies (ms) of the 503 answers */
  shed: number[]
  other: number
  errors: number
  /** from the first request sent to the last answer, s */
  seconds: number
}

export async function runOpenLoop (options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'fifo' })
  const result: OpenLoopResult = { answered: [], shed: [], other: 0, errors: 0, seconds: 0 }
  const total = Math.max(1, Math.round(options.rate * options.durationSeconds))
  const intervalMs = 1000 / options.rate
  let sent = 0
  let inFlight = 0
  let lastAnswer = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => { finish = resolve })
  const done = (): void => {
    lastAnswer = performance.now()
    inFlight--
    if (sent === total && inFlight === 0) finish()
  }
  const send = (n: number): void => {
    const body = options.body(n)
    const sentAt = performance.now()
    inFlight++
    const req = request({
      host: HOST,
      port: options.port,
      method: 'POST',
      path: '/v1/score',
      agent,
      headers: { 'content-type': 'application/json', ...options.headers, 'content-length': String(Buffer.byteLength(body)) }
    }, (res) => {
      res.resume()
      res.once('end', () => {
        const ms = performance.now() - sentAt
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300) result.answered.push(ms)
        else if (status === 503) result.shed.push(ms)
        else result.other++
        done()
      })
    })
    req.setTimeout(options.timeoutMs, () => req.destroy(new Error('timeout')))
    req.once('error', () => {
      result.errors++
      done()
    })
    req.end(body)
  }
  const start = performance.now()
  const tick = (): void => {
    const now = performance.now()
    while (sent < total && start + sent * intervalMs <= now) send(sent++)
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()))
  }
  tick()
  await finished
  agent.destroy()
  result.seconds = (lastAnswer - start) / 1000
  return result
}
