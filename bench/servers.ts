/**
 * The two servers the benchmark measures, each in its own process: riskgate (the bundle
 * `npm start` runs, or its sources through tsx) and the baseline (bench/baseline-server.ts), and
 * what the benchmark reads of riskgate's own /metrics.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchApiKeys } from './api-key.js'
import { freePort, metricSum, metricsText, startChild, waitUntilReady } from './processes.js'
import type { Child } from './processes.js'

const here = path.dirname(fileURLToPath(import.meta.url))
/** compiled (dist/bench/run.js, what `npm run bench` runs) or through tsx (bench/run.ts) */
const compiled = import.meta.url.endsWith('.js')
const nodeArgs = compiled ? [] : ['--import', 'tsx']
/** compiled: the bundle `npm start` runs (scripts/bundle-server.ts); through tsx: the sources */
export const SERVER_ENTRY = compiled ? path.join(here, '..', 'riskgate-server.mjs') : path.join(here, '..', 'src', 'server.ts')
const BASELINE_ENTRY = path.join(here, compiled ? 'baseline-server.js' : 'baseline-server.ts')

export interface Started { child: Child, port: number, readyMs: number, pid: number }

/** only what the child needs: nothing of this shell's RISKGATE_* leaks in */
export function childEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key] !== undefined) env[key] = process.env[key]
  return { ...env, ...extra }
}

async function startServer (entry: string, args: string[], env: NodeJS.ProcessEnv, port: number, extraNodeArgs: string[] = [], stdoutFile?: string): Promise<Started> {
  const startedAt = performance.now()
  const child = startChild(process.execPath, [...extraNodeArgs, ...nodeArgs, entry, ...args], env, stdoutFile)
  const readyMs = await waitUntilReady(child, port, '/readyz', startedAt)
  return { child, port, readyMs, pid: child.process.pid as number }
}

export interface RiskgateSetup {
  root: string
  torFile: string
  /** undefined: riskgate's in-process stores */
  redisUrl: string | undefined
  /** more RISKGATE_* settings (--env) */
  extraEnv: Record<string, string>
  /** more node flags (--node-arg) */
  nodeArgs?: string[]
  /** the server's stdout (its logs, V8's traces) to this file; discarded without it */
  stdoutFile?: string
  /**
   * load shedding on its default limits (the overload phase); otherwise the event loop delay limit
   * is off: a request shed by a loaded machine would make a run's figures those of something else
   * (the heap limit stays, so the shedding hook is in the measured path); --env overrides both
   */
  shedding?: boolean
}

export interface RiskgateServers {
  /** the Authorization header of the API key the servers accept */
  headers: Record<string, string>
  startRiskgate: (setup: RiskgateSetup, extraNodeArgs?: string[]) => Promise<Started>
  startBaseline: (redisUrl: string, extraNodeArgs?: string[], stdoutFile?: string) => Promise<Started>
}

/** One API key and one hash key for every server the run starts. */
export function riskgateServers (): RiskgateServers {
  const secret = randomBytes(32).toString('base64url')
  const hashKey = randomBytes(32).toString('base64url')
  return {
    headers: { authorization: `Bearer ${secret}` },
    async startRiskgate (setup, extraNodeArgs = []) {
      const port = await freePort()
      const env = childEnv({
        NODE_ENV: 'production',
        RISKGATE_HOST: '127.0.0.1',
        RISKGATE_PORT: String(port),
        ...(setup.redisUrl === undefined ? {} : { RISKGATE_REDIS_URL: setup.redisUrl }),
        RISKGATE_RULES_DIR: path.join(setup.root, 'rules'),
        RISKGATE_TOR_EXITS_FILE: setup.torFile,
        RISKGATE_API_KEYS: benchApiKeys('score', secret),
        RISKGATE_HASH_KEY: hashKey,
        // 50 connections on two shared cores queue for tens of milliseconds: with the default 50 ms
        // deadline many answers would be decided without velocity, which costs less than a full one.
        // The bench measures full answers (it reports the share that still degraded); --env overrides
        RISKGATE_DEADLINE_MS: '1000',
        ...(setup.shedding === true ? {} : { RISKGATE_SHED_MAX_EVENT_LOOP_DELAY_MS: '0' }),
        ...setup.extraEnv
      })
      return await startServer(SERVER_ENTRY, [], env, port, [...(setup.nodeArgs ?? []), ...extraNodeArgs], setup.stdoutFile)
    },
    async startBaseline (redisUrl, extraNodeArgs = [], stdoutFile) {
      const port = await freePort()
      return await startServer(BASELINE_ENTRY, [String(port), redisUrl], childEnv({ NODE_ENV: 'production' }), port, extraNodeArgs, stdoutFile)
    }
  }
}

/** the metric that says how many writes riskgate still has to make after its answers */
export const OUTBOX_METRICS = ['riskgate_outbox_depth', 'riskgate_decision_log_records{state="queued"}'] as const

/**
 * What riskgate still has to write after its answers, from its /metrics: the sum of
 * `riskgate_outbox_depth` when it has that gauge, else the decision log writer's queue
 * (`riskgate_decision_log_records{state="queued"}`); undefined when it has neither.
 */
export async function outboxDepth (port: number): Promise<{ depth: number, metric: string } | undefined> {
  const text = await metricsText(port)
  const outbox = metricSum(text, 'riskgate_outbox_depth')
  if (outbox !== undefined) return { depth: outbox, metric: OUTBOX_METRICS[0] }
  const queued = metricSum(text, 'riskgate_decision_log_records', 'state="queued"')
  if (queued !== undefined) return { depth: queued, metric: OUTBOX_METRICS[1] }
  return undefined
}

/**
 * Writes riskgate gave up after its answers (not written to Redis), from its /metrics:
 * `riskgate_outbox_dropped_total`, else the decision log writer's dropped and failed records.
 */
export async function writesLost (port: number): Promise<number> {
  const text = await metricsText(port)
  const dropped = metricSum(text, 'riskgate_outbox_dropped_total')
  if (dropped !== undefined) return dropped
  return (metricSum(text, 'riskgate_decision_log_records', 'state="dropped"') ?? 0) + (metricSum(text, 'riskgate_decision_log_records', 'state="failed"') ?? 0)
}

/** a child's end, for an error message: how it exited and the last of its stderr */
export function exitNote (started: Started): string {
  const child = started.child.process
  return child.exitCode !== null || child.signalCode !== null ? `; it exited (${child.exitCode ?? child.signalCode}): ${started.child.stderr()}` : ''
}
