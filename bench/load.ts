/**
 * Closed-loop load from this process against a server in another one: for a duration, with
 * autocannon (latencies kept at full resolution: the 'response' event carries fractional
 * milliseconds, autocannon's own histogram keeps integers), or a fixed number of requests as fast
 * as the server answers them (bench/pipelined-client.ts). Each request is POST /v1/score with a
 * body the caller makes from its number.
 */
import autocannon from 'autocannon'
import type { RequestSpec } from 'autocannon'
import { bodyOf } from './corpus.js'
import type { Corpus } from './corpus.js'
import { runPipelined } from './pipelined-client.js'
import { HOST } from './processes.js'
import { percentile } from './stats.js'

/** the body of the n-th request of a run */
export type BodyOf = (n: number) => string

/** the corpus's bodies in turn, each with a fresh charge_id `<prefix>_<n>` */
export function corpusBodies (corpus: Corpus, idPrefix: string): BodyOf {
  return (n) => bodyOf(corpus, n, `${idPrefix}_${n}`)
}

/** a run ends after `durationSeconds`, or after `amount` requests (autocannon's `amount`) */
export type LoadOptions = {
  port: number
  body: BodyOf
  connections: number
  headers: Record<string, string>
} & ({ durationSeconds: number } | { amount: number })

export interface LoadResult {
  requests: number
  /** completed 2xx responses per second */
  rps: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  errors: number
  non2xx: number
}

export function scoreRequest (body: BodyOf, headers: Record<string, string>): RequestSpec {
  let next = 0
  return {
    method: 'POST',
    path: '/v1/score',
    headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (request) => {
      request.body = body(next++)
      return request
    }
  }
}

export async function runLoad (options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  const instance = autocannon({
    url: `http://${HOST}:${options.port}`,
    connections: options.connections,
    ...('amount' in options ? { amount: options.amount } : { duration: options.durationSeconds }),
    timeout: 10,
    requests: [scoreRequest(options.body, options.headers)]
  })
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
  })
  const result = await instance
  const sorted = Float64Array.from(latencies).sort()
  let sum = 0
  for (const v of sorted) sum += v
  return {
    requests: sorted.length,
    rps: sorted.length / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    meanMs: sum / sorted.length,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx
  }
}

export interface AmountOptions {
  port: number
  body: BodyOf
  /** requests in all */
  amount: number
  connections: number
  /** requests in flight per connection */
  pipelining?: number
  headers: Record<string, string>
  /** asked before each request is sent: true ends the run early (once the requests in flight are answered) */
  stop?: () => boolean
  /** kept up to date with the answers received so far */
  progress?: { answered: number }
}

export interface AmountResult {
  /** 2xx answers */
  requests: number
  /** requests sent: fewer than asked when stopped */
  sent: number
  seconds: number
  /** CPU of this process (the load generator) per request, µs */
  clientCpuUs: number
  errors: number
  non2xx: number
  /** the status line and start of the first non-2xx answer */
  firstNon2xx?: string
}

/** `amount` requests, as fast as the server answers them (bench/pipelined-client.ts). */
export async function runAmount (options: AmountOptions): Promise<AmountResult> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const result = await runPipelined({ ...options, pipelining: options.pipelining ?? 1 })
  const used = process.cpuUsage(cpu)
  return {
    requests: result.ok,
    sent: result.sent,
    seconds: (performance.now() - started) / 1000,
    clientCpuUs: (used.user + used.system) / Math.max(1, result.sent),
    errors: result.errors,
    non2xx: result.non2xx,
    ...(result.firstNon2xx !== undefined ? { firstNon2xx: result.firstNon2xx } : {})
  }
}

/** Throws when a run had errors or non-2xx answers (its figures would be of something else). */
export function assertAllAnswered (what: string, result: { errors: number, non2xx: number, firstNon2xx?: string }, note = ''): void {
  if (result.errors > 0 || result.non2xx > 0) {
    const first = result.firstNon2xx === undefined ? '' : ` (first: ${result.firstNon2xx})`
    throw new Error(`${what}: ${result.errors} errors, ${result.non2xx} non-2xx answers${first}: the measurement is invalid${note}`)
  }
}
