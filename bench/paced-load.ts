/**
 * Open-loop load at a steady rate: request i is sent at start + i / rate, whether or not the
 * answers before it have come back, over up to `connections` keep-alive connections (a request
 * waits for a free connection when all are busy: that wait is the server's doing and counts in its
 * latency). Latency runs from the moment the request is handed to the HTTP client until its
 * answer's last byte. autocannon's own rate limit is not used: it sends each connection's quota of
 * a second at the start of that second, bursts rather than a steady rate. The connections are
 * opened before the first measured request, and take turns.
 */
import { Agent, request } from 'node:http'
import type { Socket } from 'node:net'
import type { BodyOf } from './load.js'
import { HOST } from './processes.js'
import { percentile, sortedCopy } from './stats.js'

export interface PacedOptions {
  port: number
  body: BodyOf
  /** requests per second */
  rate: number
  connections: number
  durationSeconds: number
  headers: Record<string, string>
}

export interface PacedResult {
  requests: number
  /** answers per second, from the first request sent to the last answer */
  achievedRate: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  maxMs: number
  /** how late this process sent its requests after their scheduled times (99th percentile) */
  sendLagP99Ms: number
  /** connections opened */
  connectionsUsed: number
  errors: number
  non2xx: number
  /** every latency, for pooling rounds */
  latencies: number[]
}

export async function runPaced (options: PacedOptions): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'fifo' })
  const sockets = new WeakSet<Socket>()
  let socketCount = 0
  const headers = { 'content-type': 'application/json', ...options.headers }
  const latencies: number[] = []
  const lags: number[] = []
  let errors = 0
  let non2xx = 0
  let inFlight = 0
  let lastAnswer = 0
  const total = Math.max(1, Math.round(options.rate * options.durationSeconds))
  const intervalMs = 1000 / options.rate

  const send = (n: number): void => {
    const body = options.body(n)
    const sentAt = performance.now()
    inFlight++
    const req = request({ host: HOST, port: options.port, method: 'POST', path: '/v1/score', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume()
      res.once('end', () => {
        const at = performance.now()
        if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) latencies.push(at - sentAt)
        else non2xx++
        lastAnswer = at
        done()
      })
    })
    req.once('socket', (socket) => {
      if (sockets.has(socket)) return
      sockets.add(socket)
      socketCount++
    })
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.once('error', () => { errors++; done() })
    req.end(body)
  }

  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => { finish = resolve })
  let sent = 0
  const done = (): void => {
    inFlight--
    if (sent === total && inFlight === 0) finish()
  }

  // every connection opened first (requests not measured), so that all of them take turns
  // (the agent hands a request the free connection that has waited longest)
  await prime(agent, options, headers)

  const start = performance.now()
  const tick = (): void => {
    const now = performance.now()
    // every request whose time has come: on time, or late when this process was busy
    while (sent < total && start + sent * intervalMs <= now) {
      lags.push(now - (start + sent * intervalMs))
      send(sent++)
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()))
  }
  tick()
  await finished
  agent.destroy()
  const sorted = sortedCopy(latencies)
  return {
    requests: latencies.length,
    achievedRate: latencies.length / ((lastAnswer - start) / 1000),
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] as number : Number.NaN,
    sendLagP99Ms: percentile(sortedCopy(lags), 0.99),
    connectionsUsed: socketCount,
    errors,
    non2xx,
    latencies
  }
}

/** `connections` requests at once, answered, not measured: the connections open and ready */
async function prime (agent: Agent, options: PacedOptions, headers: Record<string, string>): Promise<void> {
  await Promise.all(Array.from({ length: options.connections }, async (_, i) => {
    // numbers after those of the measured requests: charge ids of their own
    const body = options.body(Math.round(options.rate * options.durationSeconds) + i)
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: HOST, port: options.port, method: 'POST', path: '/v1/score', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume()
        res.once('end', () => { (res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`priming the connections: HTTP ${res.statusCode ?? '?'}`)) })
      })
      req.once('error', reject)
      req.end(body)
    })
  }))
}
