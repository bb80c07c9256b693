/** The part of autocannon's API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }
  export interface RequestSpec extends Request {
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request
  }
  export interface Options {
    url: string
    connections?: number
    duration?: number
    /** requests in all (instead of a duration) */
    amount?: number
    pipelining?: number
    timeout?: number
    requests?: RequestSpec[]
  }
  interface Histogram { average: number, mean: number, p50: number, p99: number, total: number }
  export interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
  }
  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop: () => void
  }
  function autocannon (options: Options): Instance
  export default autocannon
}
