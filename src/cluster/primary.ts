import cluster from 'node:cluster'
import type { Worker } from 'node:cluster'
import { ClusterMessage, followedActor, isChallengerChange, isMessage, settingsAfter } from './messages.js'
import type { ChallengerChanged, FollowChallenger, ReloadRules, RulesApplied } from './messages.js'

export interface PrimaryLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface PrimaryOptions {
  workers: number
  log: PrimaryLogger
  /** how long shutdown waits for the workers to drain before it kills them */
  closeTimeoutMs?: number
  /** a worker that dies sooner than this after its start is replaced only after a pause (a crash loop) */
  minUptimeMs?: number
}

/**
 * The primary process of RISKGATE_WORKERS > 1: forks the workers (each one a whole riskgate,
 * sharing the listening port through node:cluster), replaces a worker that dies, relays rule
 * reloads (a reload applied in one worker, by the API or a signal, is followed by all the others;
 * SIGHUP to the primary reloads in every worker), relays challenger changes the same way (and starts
 * a replacement worker with the challenger and live folder the others have), and on SIGTERM or SIGINT asks every worker to
 * close gracefully (each drains its requests and flushes its outbox) and exits once all have.
 */
export function runPrimary (options: PrimaryOptions): void {
  const { log } = options
  const closeTimeoutMs = options.closeTimeoutMs ?? 15_000
  const minUptimeMs = options.minUptimeMs ?? 5_000
  const started = new Map<number, number>()
  let closing = false
  // the settings a replacement worker needs after the challenger changes made since the start
  let settings: Record<string, string> = {}

  const broadcast = (message: ReloadRules | FollowChallenger, except?: Worker): void => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker !== undefined && worker !== except && worker.isConnected()) worker.send(message)
    }
  }

  const fork = (): void => {
    const worker = cluster.fork(settings)
    started.set(worker.id, Date.now())
    worker.on('message', (message: unknown) => {
      if (isMessage<RulesApplied>(message, ClusterMessage.RULES_APPLIED)) {
        broadcast({ type: ClusterMessage.RELOAD_RULES, actor: followedActor(message.actor) }, worker)
      } else if (isMessage<ChallengerChanged>(message, ClusterMessage.CHALLENGER_CHANGED) && isChallengerChange(message.change)) {
        settings = { ...settings, ...settingsAfter(message.change) }
        log.info({ action: message.change.action, actor: message.actor }, 'challenger changed in a worker: every other worker follows')
        broadcast({ type: ClusterMessage.FOLLOW_CHALLENGER, actor: followedActor(message.actor), change: message.change }, worker)
      }
    })
  }

  cluster.on('exit', (worker, code, signal) => {
    const uptime = Date.now() - (started.get(worker.id) ?? 0)
    started.delete(worker.id)
    if (closing) {
      if (started.size === 0) process.exit(0)
      return
    }
    log.error({ worker: worker.process.pid, code, signal, uptime_ms: uptime }, 'a worker died: starting another')
    // a worker that cannot even start (a data file broken since, a port taken) is retried slowly
    if (uptime < minUptimeMs) setTimeout(fork, minUptimeMs).unref()
    else fork()
  })

  process.on('SIGHUP', () => {
    log.info({ workers: Object.keys(cluster.workers ?? {}).length }, 'SIGHUP: every worker reloads the rule set')
    broadcast({ type: ClusterMessage.RELOAD_RULES, actor: followedActor('SIGHUP') })
  })

  const close = (signal: NodeJS.Signals): void => {
    if (closing) return
    closing = true
    log.info({ signal }, 'closing: every worker drains and flushes')
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
    for (const worker of workers) worker.process.kill('SIGTERM')
    const timer = setTimeout(() => {
      log.warn({ left: Object.keys(cluster.workers ?? {}).length }, 'workers still running after the close timeout: killed')
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL')
    }, closeTimeoutMs)
    timer.unref()
  }
  process.on('SIGTERM', () => { close('SIGTERM') })
  process.on('SIGINT', () => { close('SIGINT') })

  log.info({ workers: options.workers }, 'starting workers')
  for (let i = 0; i < options.workers; i++) fork()
}
