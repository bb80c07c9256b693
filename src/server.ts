import cluster from 'node:cluster'
import { setFlagsFromString } from 'node:v8'
import closeWithGrace from 'close-with-grace'
import { destination, pino } from 'pino'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { runPrimary } from './cluster/primary.js'
import { announceChallengerChanged, announceRulesApplied, followPrimary } from './cluster/worker.js'
import { ConfigError, loadConfig } from './config/load-config.js'
import { PartitionCountMismatchError } from './decision-log/partition-count.js'
import { createBatchedLogStream } from './log-stream.js'
import { SIGHUP_ACTOR } from './plugins/rule-reload.js'

/**
 * A configuration error ends the process with its message on stderr and exit 78 (EX_CONFIG): a
 * setting refused, or one that contradicts what the decision log in Redis keeps (the log lines
 * written so far are flushed on exit).
 */
function exitOnConfigError (err: unknown): void {
  if (err instanceof ConfigError || err instanceof PartitionCountMismatchError) {
    process.stderr.write(`riskgate: ${err.message}\n`)
    process.exit(78)
  }
}

/**
 * The only file that reads process.env, listens and handles signals. Everything else receives
 * the validated configuration.
 */
async function main (): Promise<void> {
  limitHeapGrowth()
  let loaded
  try {
    loaded = await loadConfig(process.env)
  } catch (err) {
    exitOnConfigError(err)
    throw err
  }
  const { config, warnings } = loaded
  // stdout, written synchronously: an asynchronous stream queues lines in memory whenever the
  // event loop, busy with requests, drains it slower than they come (measured: tens of MB after a
  // few hundred thousand charges). The lines of one turn of the event loop go in one write (at most
  // 4 KB, src/log-stream.ts): a write per line cost a few microseconds of CPU per request
  const logStream = createBatchedLogStream(destination({ dest: 1, sync: true }))
  process.on('exit', () => { logStream.flush() })
  if (config.workers > 1 && cluster.isPrimary) {
    // RISKGATE_WORKERS: this process only starts, watches and relays to the workers that serve
    const log = pino({ level: config.logLevel, base: { pid: process.pid, role: 'primary' } }, logStream)
    for (const warning of warnings) log.warn(warning)
    runPrimary({ workers: config.workers, log })
    return
  }
  let app: FastifyInstance
  try {
    app = await buildApp(config, { logStream, onRulesApplied: announceRulesApplied, onChallengerChanged: announceChallengerChanged })
  } catch (err) {
    exitOnConfigError(err)
    throw err
  }
  if (cluster.isPrimary || cluster.worker?.id === 1) for (const warning of warnings) app.log.warn(warning)
  followPrimary(app)

  // SIGHUP reloads the rule set (audited, like POST /v1/rules/reload); it does not stop the server
  process.on('SIGHUP', () => {
    app.reloadRules(SIGHUP_ACTOR).catch((err: unknown) => { app.log.error({ err }, 'rule reload on SIGHUP failed') })
  })

  closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async function ({ signal, err }) {
    if (err !== undefined) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'closing')
    await app.close()
  })

  await app.listen({ host: config.host, port: config.port })
  if (loaded.devKeyFile !== undefined && (cluster.isPrimary || cluster.worker?.id === 1)) {
    app.log.info(`development API key: send "Authorization: Bearer $(cat ${loaded.devKeyFile})"`)
    if (app.consoleSessions !== null) {
      const address = app.server.address()
      const port = typeof address === 'object' && address !== null ? address.port : config.port
      app.log.info(`analyst console: http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/console (sign in with the development key, the contents of ${loaded.devKeyFile})`)
    }
  }
}

/**
 * Under a sustained load V8 lets the heap grow to several times what stays alive after a full
 * collection before it collects again (it trades memory for fewer collections). riskgate's live
 * heap is small and bounded (rules, data, caches, and without Redis its in-process stores): a heap
 * allowed to grow by half of it keeps the process's memory near its live size at no measured cost
 * in CPU (docs/performance.md). A --heap-growing-percent given to node (NODE_OPTIONS) is kept.
 */
function limitHeapGrowth (): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes('heap-growing-percent'))
  if (!given) setFlagsFromString('--heap-growing-percent=50')
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`riskgate: failed to start: ${message}\n`)
  process.exit(1)
})
