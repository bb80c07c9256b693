/**
 * One load run: autocannon, in this process, against a server in another one. Each request is a
 * body of the corpus (in turn) with a fresh charge_id. Latencies are kept at full resolution (the
 * 'response' event carries fractional milliseconds; autocannon's own histogram keeps integers).
 */
import autocannon from 'autocannon'
import { bodyOf } from './corpus.js'
import type { Corpus } from './corpus.js'
import { HOST } from './processes.js'

export interface LoadOptions {
  port: number
  corpus: Corpus
  /** prefix of the charge ids: unique per run */
  idPrefix: string
  connections: number
  durationSeconds: number
  headers: Record<string, string>
}

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

function percentile (sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number
}

export async function runLoad (options: LoadOptions): Promise<LoadResult> {
  let next = 0
  const corpus = options.corpus
  const latencies: number[] = []
  const instance = autocannon({
    url: `http://${HOST}:${options.port}`,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [{
      method: 'POST',
      path: '/v1/score',
      headers: { 'content-type': 'application/json', ...options.headers },
      setupRequest: (request) => {
        const n = next++
        request.body = bodyOf(corpus, n, `${options.idPrefix}_${n}`)
        return request
      }
    }]
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
