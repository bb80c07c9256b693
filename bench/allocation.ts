/**
 * `node --import tsx bench/allocation.ts [--route] [--survivors] [--charges N] [--in-flight N] [--top N]`: what
 * scoring a charge allocates on the JavaScript heap, and where.
 *
 * Garbage collection is the largest single share of the server's CPU under load beside Node's own
 * HTTP (docs/performance.md): every byte a request allocates brings the next scavenge closer, and
 * a scavenge copies whatever requests in flight still hold. Unlike CPU time on a shared machine,
 * the bytes allocated per charge are the same from run to run, so a change to the request path can
 * be compared by them exactly.
 *
 * The service's own scorer (`app.scorer.score`, as `POST /v1/score` calls it after routing,
 * authentication and validation), built from a production configuration with a private
 * redis-server on a free port of 127.0.0.1: the bundled data, the default rules, the corpus of
 * bench/corpus.ts, `--in-flight` charges at a time (20). 5,000 charges warm it up, then V8's
 * sampling heap profiler (one sample every 256 bytes, objects already collected included) runs
 * over `--charges` more (10,000). Prints the bytes allocated per charge, then the allocation sites
 * (the function that allocated, its file) by bytes per charge, largest first.
 *
 * `--route`: each charge goes through the route instead, `POST /v1/score` by Fastify's
 * `inject` (the request bodies written before the profile starts): authentication, the card-data
 * scan, validation, the scorer, metrics, the request's log line and the answer's serialization
 * are counted too. `inject` stands in for the socket: its own request and response objects are
 * counted in place of Node's HTTP parser and socket writes.
 *
 * `--survivors`: only the objects that survived a scavenge (whether or not a later full collection
 * took them): what the scavenger copies and promotes, which costs a collection more than what dies
 * young. Charges in flight (`--in-flight 50`, as the bench's load) and records waiting in the outbox
 * are what survive.
 */
import { randomBytes } from 'node:crypto'
import { Session } from 'node:inspector/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { projectRoot } from '../src/signals/ip/bundled-data.js'
import { benchApiKeys } from './api-key.js'
import { buildCorpus } from './corpus.js'
import { startRedis } from './processes.js'
import { benchServiceApp } from './service-app.js'

const { values: args } = parseArgs({
  options: {
    route: { type: 'boolean', default: false },
    survivors: { type: 'boolean', default: false },
    charges: { type: 'string', default: '10000' },
    'in-flight': { type: 'string', default: '20' },
    top: { type: 'string', default: '30' }
  }
})
const charges = Number(args.charges)
const inFlight = Number(args['in-flight'])
const top = Number(args.top)
for (const [name, value] of [['--charges', charges], ['--in-flight', inFlight], ['--top', top]] as const) {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
}
const WARMUP = 5000

interface ProfileNode {
  callFrame: { functionName: string, url: string }
  selfSize: number
  children: ProfileNode[]
}

/** where an allocation was made: the function and its file (node_modules by package) */
function siteOf (node: ProfileNode, root: string): string {
  const { functionName, url } = node.callFrame
  const file = url === ''
    ? '(V8 builtin)'
    : url.includes('/node_modules/')
      ? (url.split('/node_modules/').pop() ?? url).split('/')[0] as string
      : url.startsWith('node:') ? url : path.relative(root, url.replace(/^file:\/\//, ''))
  return `${functionName === '' ? '(anonymous)' : functionName}  ${file}`
}

async function main (): Promise<void> {
  const root = projectRoot()
  const corpus = buildCorpus({ root, bodies: 5000 })
  const redis = await startRedis()
  try {
    const secret = randomBytes(32).toString('base64url')
    const app = await benchServiceApp({
      RISKGATE_REDIS_URL: redis.url,
      RISKGATE_API_KEYS: benchApiKeys('score', secret)
    })
    const chargeOf = (i: number): (typeof corpus.charges)[number] => ({ ...corpus.charges[i % corpus.charges.length] as (typeof corpus.charges)[number], charge_id: `alloc_${i}` })
    // --route: every request body written before the profile starts
    const bodies = args.route ? Array.from({ length: WARMUP + charges }, (_, i) => JSON.stringify(chargeOf(i))) : []
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }
    const throughRoute = async (i: number): Promise<unknown> => {
      const res = await app.inject({ method: 'POST', url: '/v1/score', headers, payload: bodies[i] })
      if (res.statusCode !== 200) throw new Error(`POST /v1/score answered ${res.statusCode}: ${res.body.slice(0, 200)}`)
      return res
    }
    const run = async (from: number, count: number): Promise<void> => {
      const pending: Array<Promise<unknown>> = []
      for (let i = from; i < from + count; i++) {
        pending.push(args.route ? throughRoute(i) : app.scorer.score(chargeOf(i)))
        if (pending.length >= inFlight) {
          await Promise.all(pending)
          pending.length = 0
        }
      }
      await Promise.all(pending)
    }
    await run(0, WARMUP)
    const session = new Session()
    session.connect()
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !args.survivors })
    await run(WARMUP, charges)
    const { profile } = await session.post('HeapProfiler.stopSampling') as unknown as { profile: { head: ProfileNode } }
    session.disconnect()
    await app.close()

    const bySite = new Map<string, number>()
    let total = 0
    const walk = (node: ProfileNode): void => {
      total += node.selfSize
      if (node.selfSize > 0) {
        const site = siteOf(node, root)
        bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
      }
      for (const child of node.children) walk(child)
    }
    walk(profile.head)
    process.stdout.write(`${charges} charges scored${args.route ? ' through POST /v1/score (inject)' : ''}, ${inFlight} at a time: ${Math.round(total / charges)} bytes allocated per charge${args.survivors ? ' that survived a scavenge' : ''}\n`)
    process.stdout.write('bytes per charge  share  allocated in\n')
    for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${String(Math.round(bytes / charges)).padStart(16)}  ${(100 * bytes / total).toFixed(1).padStart(4)}%  ${site}\n`)
    }
  } finally {
    await redis.stop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
