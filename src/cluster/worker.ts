import cluster from 'node:cluster'
import type { FastifyInstance } from 'fastify'
import { ClusterMessage, isFollowed, isMessage } from './messages.js'
import type { ReloadRules, RulesApplied } from './messages.js'

/** A worker's part of the relay: tells the primary of its own reloads; nothing when not a worker. */
export function announceRulesApplied (actor: string): void {
  if (!cluster.isWorker || isFollowed(actor) || process.send === undefined) return
  const message: RulesApplied = { type: ClusterMessage.RULES_APPLIED, actor }
  process.send(message)
}

/**
 * In a worker: follows the reloads the primary relays, and closes the app when the primary is gone
 * (its IPC channel closed): a worker never outlives its primary.
 */
export function followPrimary (app: FastifyInstance): void {
  if (!cluster.isWorker) return
  process.on('message', (message: unknown) => {
    if (!isMessage<ReloadRules>(message, ClusterMessage.RELOAD_RULES)) return
    app.reloadRules(message.actor).catch((err: unknown) => { app.log.error({ err }, 'rule reload relayed by the primary failed') })
  })
  process.once('disconnect', () => {
    app.log.warn('the primary process is gone: closing')
    app.close().then(() => process.exit(0), () => process.exit(1))
  })
}
