/**
 * The JIT's warm-up: each server answers a number of requests once, before anything of it is
 * measured. V8 compiles a server's hot functions with TurboFan on a thread of its own during its
 * first thousands of requests (riskgate's compiled rules alone take tens of milliseconds), and
 * with the load phase's 2 s warm-up that thread was still busy in its first measured round: a
 * server started with `--trace-opt` compiled for 3.5 s in all, most of it in the first 5 s of load,
 * and its first round measured up to 13% more CPU per request than its second
 * (docs/performance.md). A server that has run for a while has paid that once: the requests are
 * counted, not timed, since the compiler's decisions follow the number of calls, not the clock.
 *
 * The warm-up sends what a running server also gets besides charges, and what the bench itself asks
 * between runs: metrics scrapes and readiness checks. Without them, the bench's first read of
 * /metrics after the warm-up (a request of another route, whose objects have other shapes) sent
 * riskgate's request path back to unoptimized code (46 functions at once under `--trace-deopt`)
 * and its compiler back to work in the measured run.
 */
import type { Corpus } from './corpus.js'
import { assertAllAnswered, corpusBodies, runLoad } from './load.js'
import type { BenchOptions } from './options.js'
import { getStatus } from './processes.js'
import { log, sleep } from './stats.js'

export async function warmUpJit (name: string, port: number, corpus: Corpus, headers: Record<string, string>, options: BenchOptions, note = ''): Promise<void> {
  if (options.jitWarmupRequests <= 0) return
  const started = performance.now()
  const warm = { done: false }
  const scrapes = (async () => {
    while (!warm.done) {
      // getStatus reads each answer whole and never throws: a server that stopped answering fails
      // the warm-up's own requests below
      for (const route of ['/metrics', '/readyz']) await getStatus(port, route)
      await sleep(250)
    }
  })()
  // the client of the measured runs (autocannon): another client's requests and connections give
  // Node's HTTP objects other shapes, and the code compiled for them would be compiled again
  const result = await runLoad({ port, body: corpusBodies(corpus, `jit${name[0] as string}${process.pid}`), amount: options.jitWarmupRequests, connections: options.connections, headers }).finally(() => { warm.done = true })
  await scrapes
  assertAllAnswered(`${name}, JIT warm-up`, result, note)
  log(`  ${name}: JIT warm-up of ${options.jitWarmupRequests} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
