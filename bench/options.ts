/**
 * The command line of `npm run bench` (see docs/performance.md). Every phase can be skipped, and
 * its size changed, so that a developer can run a part of it quickly.
 */
import { parseArgs } from 'node:util'

export interface BenchOptions {
  /** alternating rounds of the load and of the steady-rate phase */
  rounds: number
  /** seconds measured per run (load and steady rate) */
  durationSeconds: number
  warmupSeconds: number
  /**
   * requests each server answers once, before the first round of the load phase (and before the
   * profiled run): the JIT compiles a server's hot code in its first thousands of requests, on a
   * thread of its own, and that one-time cost is not a cost per request of a running server
   */
  jitWarmupRequests: number
  /** connections of the load phase (and of the profiled run) */
  connections: number
  steadyRate: number
  steadyConnections: number
  /** charges scored for Redis memory per charge */
  memoryCharges: number
  /** charges of one card before the measured ones, and charges measured (hot and normal each) */
  hotCharges: number
  hotMeasured: number
  /** distinct charges scored by a server without Redis before its RSS is read */
  rssCharges: number
  /** the RSS phase stops early once the server's RSS passes this (its target is missed by then) */
  rssStopMb: number
  rssConnections: number
  rssPipelining: number
  /** decisions in the log the search phase queries, and queries per kind */
  searchRecords: number
  searchQueries: number
  profile: boolean
  /** where to keep the profile's .cpuprofile files (a temporary folder, removed, when undefined) */
  profileDir: string | undefined
  skip: Record<'inProcess' | 'load' | 'steady' | 'memory' | 'hot' | 'rss' | 'search', boolean>
  /** variants of the riskgate server: its in-process stores (the baseline keeps Redis), more settings */
  noRedis: boolean
  env: Record<string, string>
  /** more node flags of the riskgate server (--node-arg) */
  nodeArgs: string[]
  /** the overload phase (off by default), and its connections */
  overload: boolean
  overloadConnections: number
  /** the open-loop rate of that phase, as a multiple of the capacity measured at `connections` */
  overloadFactor: number
}

const USAGE = `usage: npm run bench -- [options]
  --rounds N             alternating rounds of the load and steady phases (3)
  --duration S           seconds measured per run (10); --warmup S (2)
  --jit-warmup N         requests each server answers once before the first load round and the
                         profiled run, so the JIT's compilation is done (30000)
  --connections N        connections of the load phase (50)
  --steady-rate R        requests per second of the steady phase (300); --steady-connections N (20)
  --memory-charges N     charges scored for Redis memory per charge (50000)
  --hot-charges N        charges of one card before the measured ones (10000); --hot-measured N (8000)
  --rss-charges N        distinct charges scored without Redis before reading RSS (1000000)
  --rss-connections N    (32) and --rss-pipelining N (4) of that phase
  --rss-stop-mb N        stop that phase early once the server's RSS passes N MB (1024; at least 300, the target)
  --search-records N     decisions in the log the search phase queries (1000000); --search-queries N per kind (50)
  --profile              one more load run with the riskgate server under node --cpu-prof
  --profile-dir DIR      keep its .cpuprofile files in DIR (implies --profile)
  --skip-in-process --skip-load --skip-steady --skip-memory --skip-hot --skip-rss --skip-search
  --overload             riskgate past saturation, load shedding off then on (not in the default run)
  --overload-connections N  connections of that phase (400); --overload-factor F its open-loop rate
                         as a multiple of the rate answered at --connections (2)
  --no-redis             riskgate with its in-process stores (the baseline keeps Redis)
  --env RISKGATE_X=value another setting of the riskgate server (repeatable)
  --node-arg=--FLAG      a node flag of the riskgate server (repeatable), e.g. --node-arg=--heap-growing-percent=100`

function count (value: string, name: string, min: number): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} takes a number >= ${min}, not ${value}\n${USAGE}`)
  return n
}

export function parseOptions (argv: readonly string[]): BenchOptions {
  const { values: args } = parseArgs({
    args: [...argv],
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'jit-warmup': { type: 'string', default: '30000' },
      connections: { type: 'string', default: '50' },
      'steady-rate': { type: 'string', default: '300' },
      'steady-connections': { type: 'string', default: '20' },
      'memory-charges': { type: 'string', default: '50000' },
      'hot-charges': { type: 'string', default: '10000' },
      'hot-measured': { type: 'string', default: '8000' },
      'rss-charges': { type: 'string', default: '1000000' },
      'rss-connections': { type: 'string', default: '32' },
      'rss-stop-mb': { type: 'string', default: '1024' },
      'rss-pipelining': { type: 'string', default: '4' },
      'search-records': { type: 'string', default: '1000000' },
      'search-queries': { type: 'string', default: '50' },
      profile: { type: 'boolean', default: false },
      'profile-dir': { type: 'string' },
      'skip-in-process': { type: 'boolean', default: false },
      'skip-load': { type: 'boolean', default: false },
      'skip-steady': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
      'skip-hot': { type: 'boolean', default: false },
      'skip-rss': { type: 'boolean', default: false },
      'skip-search': { type: 'boolean', default: false },
      'no-redis': { type: 'boolean', default: false },
      overload: { type: 'boolean', default: false },
      'overload-connections': { type: 'string', default: '400' },
      'overload-factor': { type: 'string', default: '2' },
      env: { type: 'string', multiple: true, default: [] },
      'node-arg': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', default: false }
    }
  })
  if (args.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const env: Record<string, string> = {}
  for (const pair of args.env) {
    const at = pair.indexOf('=')
    if (at < 1 || !pair.startsWith('RISKGATE_')) throw new Error(`--env takes RISKGATE_NAME=value, not ${pair}`)
    env[pair.slice(0, at)] = pair.slice(at + 1)
  }
  for (const flag of args['node-arg']) {
    if (!flag.startsWith('--')) throw new Error(`--node-arg takes a node flag (--node-arg=--name=value), not ${flag}`)
  }
  return {
    rounds: Math.floor(count(args.rounds, 'rounds', 1)),
    durationSeconds: count(args.duration, 'duration', 1),
    warmupSeconds: count(args.warmup, 'warmup', 0),
    jitWarmupRequests: Math.floor(count(args['jit-warmup'], 'jit-warmup', 0)),
    connections: Math.floor(count(args.connections, 'connections', 1)),
    steadyRate: count(args['steady-rate'], 'steady-rate', 1),
    steadyConnections: Math.floor(count(args['steady-connections'], 'steady-connections', 1)),
    memoryCharges: Math.floor(count(args['memory-charges'], 'memory-charges', 100)),
    hotCharges: Math.floor(count(args['hot-charges'], 'hot-charges', 0)),
    hotMeasured: Math.floor(count(args['hot-measured'], 'hot-measured', 100)),
    rssCharges: Math.floor(count(args['rss-charges'], 'rss-charges', 1000)),
    rssStopMb: count(args['rss-stop-mb'], 'rss-stop-mb', 300),
    rssConnections: Math.floor(count(args['rss-connections'], 'rss-connections', 1)),
    rssPipelining: Math.floor(count(args['rss-pipelining'], 'rss-pipelining', 1)),
    searchRecords: Math.floor(count(args['search-records'], 'search-records', 1000)),
    searchQueries: Math.floor(count(args['search-queries'], 'search-queries', 1)),
    profile: args.profile || args['profile-dir'] !== undefined,
    profileDir: args['profile-dir'],
    skip: {
      inProcess: args['skip-in-process'],
      load: args['skip-load'],
      steady: args['skip-steady'],
      memory: args['skip-memory'],
      hot: args['skip-hot'],
      rss: args['skip-rss'],
      search: args['skip-search']
    },
    noRedis: args['no-redis'],
    env,
    nodeArgs: args['node-arg'],
    overload: args.overload,
    overloadConnections: Math.floor(count(args['overload-connections'], 'overload-connections', 1)),
    overloadFactor: count(args['overload-factor'], 'overload-factor', 1)
  }
}
